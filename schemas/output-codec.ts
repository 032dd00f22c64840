/**
 * A MessagePack encoder for the engine's output records (candles, indicator snapshots,
 * alerts), which the engine publishes by the hundred thousand a second. It writes the same
 * bytes as {@link encodeRecord} (msgpackr configured for standard MessagePack) for a record
 * whose keys are in the declared order, and a record any MessagePack library decodes to the
 * same values whatever the order; the tests hold it to both.
 *
 * Why not msgpackr here: it walks the object generically, writes every key string again and
 * re-measures every string, about 3 µs for a candle; with the fields known in advance the key
 * bytes are constants and a candle takes a fraction of that.
 *
 * Output goes into a shared chunk, one record after another, and each call returns its own
 * slice; a full chunk is replaced, never rewritten, so an earlier slice stays valid (NATS may
 * hold it in its outbound queue).
 */
import type { Alert, Candle, IndicatorSnapshot, OutputRecord } from './records.js';

const CHUNK = 256 * 1024;
let buf = Buffer.allocUnsafeSlow(CHUNK);
let pos = 0;

/** A short ASCII string as MessagePack fixstr bytes. */
function fixstr(k: string): Uint8Array {
  return Uint8Array.from([0xa0 | k.length, ...Buffer.from(k, 'latin1')]);
}

/** Each field name's bytes, by name, and how many fields there are (the map header). */
function keyTable<K extends string>(keys: readonly K[]): { count: number; bytes: Record<K, Uint8Array> } {
  const bytes = {} as Record<K, Uint8Array>;
  for (const k of keys) bytes[k] = fixstr(k);
  return { count: keys.length, bytes };
}

const CANDLE_KEYS = keyTable([
  'v',
  'type',
  'venue',
  'symbol',
  'interval',
  'start',
  'end',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'notional',
  'vwap',
  'trades',
  'buyVolume',
  'sellVolume',
  'firstTradeTs',
  'lastTradeTs',
  'closed',
  'revision',
]);
const INDICATOR_KEYS = keyTable([
  'v',
  'type',
  'venue',
  'symbol',
  'interval',
  'ts',
  'closed',
  'revision',
  'values',
]);
const ALERT_KEYS = keyTable([
  'v',
  'type',
  'venue',
  'symbol',
  'kind',
  'severity',
  'ts',
  'value',
  'threshold',
  'message',
]);
/** Indicator output names, as fixstr bytes; the same few repeat on every snapshot. */
const nameBytes = new Map<string, Uint8Array>();

/** Encodes an output record as a standard MessagePack map; see the module comment. */
export function encodeOutput(r: OutputRecord): Uint8Array {
  switch (r.type) {
    case 'candle':
      return encodeCandle(r);
    case 'indicator':
      return encodeIndicator(r);
    case 'alert':
      return encodeAlert(r);
  }
}

function begin(bound: number): number {
  if (pos + bound > buf.length) {
    buf = Buffer.allocUnsafeSlow(Math.max(CHUNK, bound));
    pos = 0;
  }
  return pos;
}

function end(start: number): Uint8Array {
  return buf.subarray(start, pos);
}

/** Room for a string's bytes (UTF-8 is at most 3 bytes per UTF-16 unit) and its header. */
function strBound(s: string): number {
  return 5 + 3 * s.length;
}

export function encodeCandle(c: Candle): Uint8Array {
  const start = begin(400 + strBound(c.venue) + strBound(c.symbol) + strBound(c.interval));
  const k = CANDLE_KEYS.bytes;
  mapHeader(CANDLE_KEYS.count);
  key(k.v);
  num(c.v);
  key(k.type);
  str(c.type);
  key(k.venue);
  str(c.venue);
  key(k.symbol);
  str(c.symbol);
  key(k.interval);
  str(c.interval);
  key(k.start);
  num(c.start);
  key(k.end);
  num(c.end);
  key(k.open);
  num(c.open);
  key(k.high);
  num(c.high);
  key(k.low);
  num(c.low);
  key(k.close);
  num(c.close);
  key(k.volume);
  num(c.volume);
  key(k.notional);
  num(c.notional);
  key(k.vwap);
  num(c.vwap);
  key(k.trades);
  num(c.trades);
  key(k.buyVolume);
  num(c.buyVolume);
  key(k.sellVolume);
  num(c.sellVolume);
  key(k.firstTradeTs);
  num(c.firstTradeTs);
  key(k.lastTradeTs);
  num(c.lastTradeTs);
  key(k.closed);
  buf[pos++] = c.closed ? 0xc3 : 0xc2;
  key(k.revision);
  num(c.revision);
  return end(start);
}

export function encodeIndicator(x: IndicatorSnapshot): Uint8Array {
  const values = x.values;
  let bound = 200 + strBound(x.venue) + strBound(x.symbol) + strBound(x.interval);
  let n = 0;
  for (const name in values) {
    bound += strBound(name) + 9;
    n++;
  }
  const start = begin(bound);
  const k = INDICATOR_KEYS.bytes;
  mapHeader(INDICATOR_KEYS.count);
  key(k.v);
  num(x.v);
  key(k.type);
  str(x.type);
  key(k.venue);
  str(x.venue);
  key(k.symbol);
  str(x.symbol);
  key(k.interval);
  str(x.interval);
  key(k.ts);
  num(x.ts);
  key(k.closed);
  buf[pos++] = x.closed ? 0xc3 : 0xc2;
  key(k.revision);
  num(x.revision);
  key(k.values);
  mapHeader(n);
  for (const name in values) {
    let bytes = nameBytes.get(name);
    if (bytes === undefined) {
      if (name.length < 32 && /^[\x20-\x7e]*$/.test(name)) {
        bytes = fixstr(name);
        nameBytes.set(name, bytes);
      } else {
        str(name);
      }
    }
    if (bytes !== undefined) key(bytes);
    const value = values[name];
    if (value === null || value === undefined) buf[pos++] = 0xc0;
    else num(value);
  }
  return end(start);
}

export function encodeAlert(a: Alert): Uint8Array {
  const start = begin(
    200 +
      strBound(a.venue) +
      strBound(a.symbol) +
      strBound(a.kind) +
      strBound(a.severity) +
      strBound(a.message),
  );
  const k = ALERT_KEYS.bytes;
  mapHeader(ALERT_KEYS.count);
  key(k.v);
  num(a.v);
  key(k.type);
  str(a.type);
  key(k.venue);
  str(a.venue);
  key(k.symbol);
  str(a.symbol);
  key(k.kind);
  str(a.kind);
  key(k.severity);
  str(a.severity);
  key(k.ts);
  num(a.ts);
  key(k.value);
  num(a.value);
  key(k.threshold);
  num(a.threshold);
  key(k.message);
  str(a.message);
  return end(start);
}

function mapHeader(n: number): void {
  if (n < 16) buf[pos++] = 0x80 | n;
  else if (n < 0x10000) {
    buf[pos++] = 0xde;
    buf[pos++] = n >> 8;
    buf[pos++] = n & 0xff;
  } else {
    buf[pos++] = 0xdf;
    pos = buf.writeUInt32BE(n, pos);
  }
}

function key(bytes: Uint8Array): void {
  const n = bytes.length;
  for (let i = 0; i < n; i++) buf[pos++] = bytes[i]!;
}

/** Numbers exactly as msgpackr writes them: 32-bit integers as integers, everything else float64. */
function num(x: number): void {
  if (x >>> 0 === x) {
    if (x < 0x80) buf[pos++] = x;
    else if (x < 0x100) {
      buf[pos++] = 0xcc;
      buf[pos++] = x;
    } else if (x < 0x10000) {
      buf[pos++] = 0xcd;
      buf[pos++] = x >> 8;
      buf[pos++] = x & 0xff;
    } else {
      buf[pos++] = 0xce;
      pos = buf.writeUInt32BE(x, pos);
    }
  } else if (x >> 0 === x) {
    if (x >= -0x20) buf[pos++] = 0x100 + x;
    else if (x >= -0x80) {
      buf[pos++] = 0xd0;
      buf[pos++] = x + 0x100;
    } else if (x >= -0x8000) {
      buf[pos++] = 0xd1;
      pos = buf.writeInt16BE(x, pos);
    } else {
      buf[pos++] = 0xd2;
      pos = buf.writeInt32BE(x, pos);
    }
  } else {
    buf[pos++] = 0xcb;
    pos = buf.writeDoubleBE(x, pos);
  }
}

/** A string with the smallest header for its UTF-8 length; short ASCII is copied byte by byte. */
function str(s: string): void {
  const n = s.length;
  if (n < 32) {
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      buf[pos++] = 0xa0 | n;
      for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i);
      return;
    }
  }
  const bytes = Buffer.byteLength(s, 'utf8');
  if (bytes < 32) buf[pos++] = 0xa0 | bytes;
  else if (bytes < 0x100) {
    buf[pos++] = 0xd9;
    buf[pos++] = bytes;
  } else if (bytes < 0x10000) {
    buf[pos++] = 0xda;
    buf[pos++] = bytes >> 8;
    buf[pos++] = bytes & 0xff;
  } else {
    buf[pos++] = 0xdb;
    pos = buf.writeUInt32BE(bytes, pos);
  }
  pos += buf.write(s, pos, 'utf8');
}
