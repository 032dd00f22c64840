/**
 * Records as InfluxDB line protocol, the format QuestDB ingests over HTTP, written straight
 * into one growing Buffer per flush.
 *
 * Line shape: `table,sym=v,sym=v col=1.5,n=3i,s="x",t=123t <designated ns>\n`. `i` marks a
 * LONG, `t` a TIMESTAMP in microseconds; the designated timestamp is in nanoseconds because
 * the client's transport posts to `/write?precision=n`. Columns come from the schemas'
 * field->column maps, so the writer and the DDL cannot drift apart.
 *
 * Doubles are written in one of two forms. Text (protocol version 1) is JavaScript's
 * shortest round-trip form, so exact, but converting a double to text costs about 0.3 µs and
 * a candle row has eleven. Binary (protocol version 2, QuestDB 9.0+) is `name==` followed by
 * type byte 16 and the IEEE 754 value little-endian: exact and nearly free. The writer picks
 * binary when the server lists version 2 in `/settings`.
 *
 * Why not string templates (the first version of this file): a candle row built with
 * template literals and `+=` cost ~10 µs, the final UTF-8 conversion of the multi-megabyte
 * string another ~2 µs a row, and QuestDB flushes of a framed backlog spent most of their
 * time here (bench/engine). Why not the client's `Sender`: it builds rows one column call at
 * a time (~7.5 µs a trade row) and drops its buffer when a flush fails.
 */
import {
  ALERT_COLUMNS,
  type Alert,
  CANDLE_COLUMNS,
  type Candle,
  INDICATOR_COLUMNS,
  type IndicatorSnapshot,
  indicatorColumnName,
  QUOTE_COLUMNS,
  type Quote,
  TRADE_COLUMNS,
  type Trade,
} from '../../schemas/index.js';

/** Epoch milliseconds (possibly fractional) to whole epoch microseconds. */
export function toMicros(ms: number): number {
  return Math.round(ms * 1000);
}

/** Table names the rows go to. */
export interface RowTables {
  trades: string;
  quotes: string;
  candles: string;
  indicators: string;
  alerts: string;
}

/** A symbol (tag) value: space, comma, `=`, backslash and line breaks are escaped. */
export function escapeTag(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 44 || c === 61 || c === 92 || c === 10 || c === 13) return escapeFrom(s, i, false);
  }
  return s;
}

/** A string field, quoted: double quote, backslash and line breaks are escaped. */
export function quoteString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34 || c === 92 || c === 10 || c === 13) return `"${escapeFrom(s, i, true)}"`;
  }
  return `"${s}"`;
}

function escapeFrom(s: string, start: number, quoted: boolean): string {
  let out = s.slice(0, start);
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const special = quoted
      ? c === 34 || c === 92 || c === 10 || c === 13
      : c === 32 || c === 44 || c === 61 || c === 92 || c === 10 || c === 13;
    out += special ? `\\${s[i]}` : s[i];
  }
  return out;
}

/** Double encodings; see the module comment. */
export type DoubleFormat = 'text' | 'binary';

/** ILP v2 binary entity type of a 64-bit float. */
const BINARY_DOUBLE = 16;
const EQ = 61;
const NL = 10;

function ascii(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

/** Constant parts of each row kind's line, in order. */
interface Segments {
  trade: Uint8Array[];
  quote: Uint8Array[];
  candle: Uint8Array[];
  indicator: Uint8Array[];
  alert: Uint8Array[];
}

function segments(tables: RowTables): Segments {
  const T = TRADE_COLUMNS;
  const Q = QUOTE_COLUMNS;
  const C = CANDLE_COLUMNS;
  const I = INDICATOR_COLUMNS;
  const A = ALERT_COLUMNS;
  return {
    trade: [
      `${tables.trades},${T.venue}=`,
      `,${T.symbol}=`,
      `,${T.side}=`,
      ` ${T.price}=`,
      `,${T.size}=`,
      `,${T.id}=`,
      `,${T.recvTs}=`,
      `t,${T.seq}=`,
    ].map(ascii),
    quote: [
      `${tables.quotes},${Q.venue}=`,
      `,${Q.symbol}=`,
      ` ${Q.bidPrice}=`,
      `,${Q.bidSize}=`,
      `,${Q.askPrice}=`,
      `,${Q.askSize}=`,
      `,${Q.recvTs}=`,
      `t,${Q.seq}=`,
    ].map(ascii),
    candle: [
      `${tables.candles},${C.venue}=`,
      `,${C.symbol}=`,
      `,${C.interval}=`,
      ` ${C.end}=`,
      `t,${C.open}=`,
      `,${C.high}=`,
      `,${C.low}=`,
      `,${C.close}=`,
      `,${C.volume}=`,
      `,${C.notional}=`,
      `,${C.vwap}=`,
      `,${C.trades}=`,
      `i,${C.buyVolume}=`,
      `,${C.sellVolume}=`,
      `,${C.firstTradeTs}=`,
      `t,${C.lastTradeTs}=`,
      `t,${C.closed}=`,
      `,${C.revision}=`,
    ].map(ascii),
    indicator: [
      `${tables.indicators},${I.venue}=`,
      `,${I.symbol}=`,
      `,${I.interval}=`,
      ` ${I.closed}=`,
      `,${I.revision}=`,
    ].map(ascii),
    alert: [
      `${tables.alerts},${A.venue}=`,
      `,${A.symbol}=`,
      `,${A.kind}=`,
      `,${A.severity}=`,
      ` ${A.value}=`,
      `,${A.threshold}=`,
      `,${A.message}=`,
    ].map(ascii),
  };
}

/**
 * Writes rows into a Buffer. `begin()` starts a fresh buffer (each flush attempt posts its
 * own, so an abandoned request can never see it change), the row methods append, `finish()`
 * returns the bytes.
 */
export class LineEncoder {
  readonly doubles: DoubleFormat;
  private readonly seg: Segments;
  /** Indicator output name -> `,column=` bytes; the same few names repeat on every row. */
  private readonly indicatorColumns = new Map<string, Uint8Array>();
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  constructor(tables: RowTables, doubles: DoubleFormat) {
    this.seg = segments(tables);
    this.doubles = doubles;
  }

  /** Starts a new body with room for about `bytes` (it grows as needed). */
  begin(bytes = 64 * 1024): void {
    this.buf = Buffer.allocUnsafe(Math.max(1024, bytes));
    this.pos = 0;
  }

  /** The body written since `begin()`. */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Empties the body but keeps its buffer, for an encoder that accumulates rows (see RowBuffer). */
  reset(): void {
    if (this.buf.length === 0) this.buf = Buffer.allocUnsafe(64 * 1024);
    this.pos = 0;
  }

  /** Appends rows encoded by another encoder of the same tables and double format. */
  append(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  trade(t: Trade): void {
    const s = this.seg.trade;
    this.raw(s[0]!);
    this.tag(t.venue);
    this.raw(s[1]!);
    this.tag(t.symbol);
    this.raw(s[2]!);
    this.tag(t.side);
    this.raw(s[3]!);
    this.double(t.price);
    this.raw(s[4]!);
    this.double(t.size);
    this.raw(s[5]!);
    this.quoted(t.id);
    this.raw(s[6]!);
    this.int(toMicros(t.recvTs));
    if (t.seq === undefined) this.byte(116 /* t */);
    else {
      this.raw(s[7]!);
      this.int(t.seq);
      this.byte(105 /* i */);
    }
    this.designated(t.ts);
  }

  quote(q: Quote): void {
    const s = this.seg.quote;
    this.raw(s[0]!);
    this.tag(q.venue);
    this.raw(s[1]!);
    this.tag(q.symbol);
    this.raw(s[2]!);
    this.double(q.bidPrice);
    this.raw(s[3]!);
    this.double(q.bidSize);
    this.raw(s[4]!);
    this.double(q.askPrice);
    this.raw(s[5]!);
    this.double(q.askSize);
    this.raw(s[6]!);
    this.int(toMicros(q.recvTs));
    if (q.seq === undefined) this.byte(116);
    else {
      this.raw(s[7]!);
      this.int(q.seq);
      this.byte(105);
    }
    this.designated(q.ts);
  }

  /** One candle row; the candle start is the designated timestamp. */
  candle(c: Candle): void {
    const s = this.seg.candle;
    this.raw(s[0]!);
    this.tag(c.venue);
    this.raw(s[1]!);
    this.tag(c.symbol);
    this.raw(s[2]!);
    this.tag(c.interval);
    this.raw(s[3]!);
    this.int(toMicros(c.end));
    this.raw(s[4]!);
    this.double(c.open);
    this.raw(s[5]!);
    this.double(c.high);
    this.raw(s[6]!);
    this.double(c.low);
    this.raw(s[7]!);
    this.double(c.close);
    this.raw(s[8]!);
    this.double(c.volume);
    this.raw(s[9]!);
    this.double(c.notional);
    this.raw(s[10]!);
    this.double(c.vwap);
    this.raw(s[11]!);
    this.int(c.trades);
    this.raw(s[12]!);
    this.double(c.buyVolume);
    this.raw(s[13]!);
    this.double(c.sellVolume);
    this.raw(s[14]!);
    this.int(toMicros(c.firstTradeTs));
    this.raw(s[15]!);
    this.int(toMicros(c.lastTradeTs));
    this.raw(s[16]!);
    this.byte(c.closed ? 116 : 102);
    this.raw(s[17]!);
    this.int(c.revision);
    this.byte(105);
    this.designated(c.start);
  }

  /** One indicator row: one DOUBLE column per non-null value. */
  indicator(x: IndicatorSnapshot): void {
    const s = this.seg.indicator;
    this.raw(s[0]!);
    this.tag(x.venue);
    this.raw(s[1]!);
    this.tag(x.symbol);
    this.raw(s[2]!);
    this.tag(x.interval);
    this.raw(s[3]!);
    this.byte(x.closed ? 116 : 102);
    this.raw(s[4]!);
    this.int(x.revision);
    this.byte(105);
    const values = x.values;
    for (const name in values) {
      const value = values[name];
      if (value === null || value === undefined) continue;
      let column = this.indicatorColumns.get(name);
      if (column === undefined) {
        column = ascii(`,${indicatorColumnName(name)}=`);
        this.indicatorColumns.set(name, column);
      }
      this.raw(column);
      this.double(value);
    }
    this.designated(x.ts);
  }

  alert(a: Alert): void {
    const s = this.seg.alert;
    this.raw(s[0]!);
    this.tag(a.venue);
    this.raw(s[1]!);
    this.tag(a.symbol);
    this.raw(s[2]!);
    this.tag(a.kind);
    this.raw(s[3]!);
    this.tag(a.severity);
    this.raw(s[4]!);
    this.double(a.value);
    this.raw(s[5]!);
    this.double(a.threshold);
    this.raw(s[6]!);
    this.quoted(a.message);
    this.designated(a.ts);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n + 1024));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  private raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = bytes[i]!;
    this.pos = pos;
  }

  /** Writes `s` as UTF-8 (escaped already). */
  private utf8(s: string): void {
    this.ensure(Buffer.byteLength(s, 'utf8'));
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** A symbol (tag) value; plain ASCII is copied byte by byte, anything else goes through escapeTag. */
  private tag(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128 || c === 32 || c === 44 || c === 61 || c === 92 || c === 10 || c === 13) {
        this.utf8(escapeTag(s));
        return;
      }
      buf[pos++] = c;
    }
    this.pos = pos;
  }

  /** A quoted string field. */
  private quoted(s: string): void {
    const n = s.length;
    this.ensure(n + 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = 34;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128 || c === 34 || c === 92 || c === 10 || c === 13) {
        this.utf8(quoteString(s));
        return;
      }
      buf[pos++] = c;
    }
    buf[pos++] = 34;
    this.pos = pos;
  }

  private double(x: number): void {
    if (this.doubles === 'binary') {
      this.ensure(10);
      const buf = this.buf;
      buf[this.pos++] = EQ;
      buf[this.pos++] = BINARY_DOUBLE;
      this.pos = buf.writeDoubleLE(x, this.pos);
      return;
    }
    const text = String(x);
    const n = text.length;
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  /** A whole number in decimal. */
  private int(n: number): void {
    if (!Number.isSafeInteger(n)) {
      this.utf8(String(n));
      return;
    }
    this.ensure(17);
    const buf = this.buf;
    if (n < 0) {
      buf[this.pos++] = 45;
      n = -n;
    }
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    const end = this.pos + digits;
    let i = end;
    while (n >= 10) {
      const q = Math.floor(n / 10);
      buf[--i] = 48 + (n - q * 10);
      n = q;
    }
    buf[--i] = 48 + n;
    this.pos = end;
  }

  /** The designated timestamp in nanoseconds (over 2^53, so microseconds and three zeros), and the newline. */
  private designated(ms: number): void {
    this.byte(32);
    this.int(toMicros(ms));
    this.ensure(4);
    const buf = this.buf;
    buf[this.pos++] = 48;
    buf[this.pos++] = 48;
    buf[this.pos++] = 48;
    buf[this.pos++] = NL;
  }
}
