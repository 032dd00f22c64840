/**
 * tardis.dev normalized trades CSV (`exchange,symbol,timestamp,local_timestamp,id,side,price,amount`),
 * with or without that header. `timestamp` (exchange time) and `local_timestamp` (tardis receive
 * time) are epoch microseconds and become `ts` and `recvTs` in milliseconds with a fractional
 * part. The exchange id is the venue code. An empty trade id (some venues have none) becomes
 * `L<line number>`, stable for the same file. No `seq` is set: trade-id contiguity differs by
 * venue, so gap detection on replayed tardis data would raise false alerts.
 */
import { describeReason, SCHEMA_VERSION, type Side, type Trade, validateTrade } from '../../schemas/index.js';
import { numberField, splitCsvInto } from './csv-fields.js';
import type { LineParser } from './line-parser.js';

/** The header line tardis writes. */
export const TARDIS_TRADES_HEADER = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';

const FIELDS = 8;

/** Parses tardis normalized trade lines; venue and symbol come from each line. */
export class TardisTradesCsvParser implements LineParser {
  private readonly now: number;
  private readonly f: string[] = new Array<string>(FIELDS).fill('');

  /** `now` (epoch ms) bounds how far in the future a trade time may be, as in `validateTrade`. */
  constructor(options: { now: number }) {
    this.now = options.now;
  }

  parse(line: string, lineNo: number): Trade | string | null {
    if (line.length === 0 || line === '\r') return null;
    const f = this.f;
    const n = splitCsvInto(line, f);
    if (n !== FIELDS) return `expected ${FIELDS} fields (${TARDIS_TRADES_HEADER}), found ${n}`;
    if (lineNo === 1 && f[0] === 'exchange') return null;
    const timestamp = numberField(f[2]!);
    if (Number.isNaN(timestamp)) return `timestamp '${f[2]}' is not a number`;
    const local = numberField(f[3]!);
    if (Number.isNaN(local)) return `local_timestamp '${f[3]}' is not a number`;
    const sideText = f[5]!;
    if (sideText !== 'buy' && sideText !== 'sell' && sideText !== 'unknown')
      return `side '${sideText}' is not buy, sell or unknown`;
    const price = numberField(f[6]!);
    if (Number.isNaN(price)) return `price '${f[6]}' is not a number`;
    const size = numberField(f[7]!);
    if (Number.isNaN(size)) return `amount '${f[7]}' is not a number`;
    const id = f[4]!;
    const trade: Trade = {
      v: SCHEMA_VERSION,
      type: 'trade',
      venue: f[0]!,
      symbol: f[1]!,
      price,
      size,
      side: sideText as Side,
      id: id.length === 0 ? `L${lineNo}` : id,
      ts: timestamp / 1000,
      recvTs: local / 1000,
    };
    const reason = validateTrade(trade, this.now);
    return reason === 'ok' ? trade : describeReason(reason);
  }
}
