/**
 * Guesses a replay file's format from its first non-blank line: `{` starts NDJSON; a known
 * header names its format; otherwise the field count (7 Binance, 8 tardis) decides.
 */
import { BINANCE_TRADES_HEADER } from './binance-trades-csv.js';
import type { ReplayFormat } from './line-parser.js';
import { TARDIS_TRADES_HEADER } from './tardis-trades-csv.js';

/** The format of a file whose first non-blank line is `line`, or undefined when none fits. */
export function detectFormat(line: string): ReplayFormat | undefined {
  const s = line.trim();
  if (s.startsWith('{')) return 'ndjson';
  if (s === BINANCE_TRADES_HEADER) return 'binance';
  if (s === TARDIS_TRADES_HEADER) return 'tardis';
  let commas = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 44) commas++;
  if (commas === 6 && /^\d/.test(s)) return 'binance';
  if (commas === 7) return 'tardis';
  return undefined;
}
