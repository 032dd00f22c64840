/**
 * Our own NDJSON: one Trade or Quote record per line, as `JSON.stringify` writes it. Each record
 * is rebuilt field by field, so unknown extra fields in the file never reach the wire.
 */
import {
  describeReason,
  type Quote,
  SCHEMA_VERSION,
  type Trade,
  validateQuote,
  validateTrade,
} from '../../schemas/index.js';
import type { LineParser } from './line-parser.js';

type Fields = Record<string, unknown>;

/** Parses NDJSON record lines. */
export class NdjsonRecordParser implements LineParser {
  private readonly now: number;

  /** `now` (epoch ms) bounds how far in the future a record time may be. */
  constructor(options: { now: number }) {
    this.now = options.now;
  }

  parse(line: string): Trade | Quote | string | null {
    if (isBlank(line)) return null;
    let x: unknown;
    try {
      x = JSON.parse(line);
    } catch (err) {
      return `not JSON: ${(err as Error).message}`;
    }
    if (typeof x !== 'object' || x === null || Array.isArray(x)) return 'not a JSON object';
    const r = x as Fields;
    if (r['type'] === 'trade') {
      const reason = validateTrade(r, this.now);
      if (reason !== 'ok') return describeReason(reason);
      const t: Trade = {
        v: SCHEMA_VERSION,
        type: 'trade',
        venue: r['venue'] as string,
        symbol: r['symbol'] as string,
        price: r['price'] as number,
        size: r['size'] as number,
        side: r['side'] as Trade['side'],
        id: r['id'] as string,
        ts: r['ts'] as number,
        recvTs: r['recvTs'] as number,
      };
      if (typeof r['seq'] === 'number') t.seq = r['seq'];
      return t;
    }
    if (r['type'] === 'quote') {
      const reason = validateQuote(r, this.now);
      if (reason !== 'ok') return describeReason(reason);
      const q: Quote = {
        v: SCHEMA_VERSION,
        type: 'quote',
        venue: r['venue'] as string,
        symbol: r['symbol'] as string,
        bidPrice: r['bidPrice'] as number,
        bidSize: r['bidSize'] as number,
        askPrice: r['askPrice'] as number,
        askSize: r['askSize'] as number,
        ts: r['ts'] as number,
        recvTs: r['recvTs'] as number,
      };
      if (typeof r['seq'] === 'number') q.seq = r['seq'];
      return q;
    }
    return `type ${JSON.stringify(r['type'])} is not trade or quote`;
  }
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}
