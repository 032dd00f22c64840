import type { Quote, Trade } from '../../schemas/index.js';

/** The file formats `tickflow feed replay` reads. */
export const REPLAY_FORMATS = ['binance', 'tardis', 'ndjson'] as const;

/** One of {@link REPLAY_FORMATS}. */
export type ReplayFormat = (typeof REPLAY_FORMATS)[number];

/**
 * Turns one line of a replay file into a record. Returns the record; `null` for a line that
 * carries none (blank, header); or a string, the problem as a sentence, for a bad line. Problems
 * are returned rather than thrown because bad lines are routine in a skip-mode replay and the
 * loop must not pay for an exception per line.
 */
export interface LineParser {
  parse(line: string, lineNo: number): Trade | Quote | string | null;
}
