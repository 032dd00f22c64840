/**
 * Binance historical spot trades (data.binance.vision `<SYMBOL>-trades-<date>.csv`), columns
 * `id,price,qty,quote_qty,time,is_buyer_maker,is_best_match`, with or without that header.
 *
 * `time` is epoch milliseconds in files up to 2024 and epoch microseconds from 2025 on. The unit
 * is decided per value by magnitude: at or above 1e14 it is microseconds (1e14 ms would be the
 * year 5138, 1e14 µs is 1973), so a file may even mix both. The file carries no receive time,
 * so `recvTs` = `ts`. `is_buyer_maker` true means the seller was the aggressor.
 */
import { describeReason, SCHEMA_VERSION, type Trade, validateTrade } from '../../schemas/index.js';
import { numberField, splitCsvInto } from './csv-fields.js';
import type { LineParser } from './line-parser.js';

/** The header line Binance writes, when it writes one. */
export const BINANCE_TRADES_HEADER = 'id,price,qty,quote_qty,time,is_buyer_maker,is_best_match';

/** Times at or above this are epoch microseconds, below it epoch milliseconds. */
export const MICROS_THRESHOLD = 1e14;

const FIELDS = 7;

/** Parses Binance trade CSV lines into trades of one venue and symbol. */
export class BinanceTradesCsvParser implements LineParser {
  private readonly venue: string;
  private readonly symbol: string;
  private readonly now: number;
  private readonly f: string[] = new Array<string>(FIELDS).fill('');

  /** `now` (epoch ms) bounds how far in the future a trade time may be, as in `validateTrade`. */
  constructor(options: { venue: string; symbol: string; now: number }) {
    this.venue = options.venue;
    this.symbol = options.symbol;
    this.now = options.now;
  }

  parse(line: string, lineNo: number): Trade | string | null {
    if (line.length === 0 || line === '\r') return null;
    const f = this.f;
    const n = splitCsvInto(line, f);
    if (n !== FIELDS) return `expected ${FIELDS} fields (${BINANCE_TRADES_HEADER}), found ${n}`;
    const id = f[0]!;
    if (lineNo === 1 && id === 'id') return null;
    const seq = numberField(id);
    if (!Number.isSafeInteger(seq) || seq < 0) return `id '${id}' is not a non-negative integer`;
    const price = numberField(f[1]!);
    if (Number.isNaN(price)) return `price '${f[1]}' is not a number`;
    const size = numberField(f[2]!);
    if (Number.isNaN(size)) return `qty '${f[2]}' is not a number`;
    const time = numberField(f[4]!);
    if (Number.isNaN(time)) return `time '${f[4]}' is not a number`;
    const maker = parseBool(f[5]!);
    if (maker === undefined) return `is_buyer_maker '${f[5]}' is not true or false`;
    const ts = time >= MICROS_THRESHOLD ? time / 1000 : time;
    const trade: Trade = {
      v: SCHEMA_VERSION,
      type: 'trade',
      venue: this.venue,
      symbol: this.symbol,
      price,
      size,
      side: maker ? 'sell' : 'buy',
      id,
      ts,
      recvTs: ts,
      seq,
    };
    const reason = validateTrade(trade, this.now);
    return reason === 'ok' ? trade : describeReason(reason);
  }
}

function parseBool(s: string): boolean | undefined {
  if (s === 'True' || s === 'true' || s === 'TRUE') return true;
  if (s === 'False' || s === 'false' || s === 'FALSE') return false;
  return undefined;
}
