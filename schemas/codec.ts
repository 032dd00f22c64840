/**
 * The wire codec: standard MessagePack that any language's library reads.
 * msgpackr is configured so none of its extensions reach the wire: no record
 * structures (`useRecords: false`), no typed-array/Set/Error extensions
 * (`moreTypes: false`), and an undefined optional field is left out rather
 * than written as msgpackr's fixext "undefined". A payload is one record (a map)
 * or a frame: an array of records of the same venue and symbol.
 */

import { Packr, Unpackr } from 'msgpackr';
import { TfError } from './errors.js';
import type { ReasonCode } from './reasons.js';
import type { AnyRecord } from './records.js';

/** Limits on one payload, checked before the payload is decoded. */
export interface FrameLimits {
  /** Largest payload in bytes. */
  maxBytes: number;
  /** Most records in one frame. */
  maxRecords: number;
}

/** 1 MiB (the NATS default max_payload) and 4096 records. */
export const DEFAULT_FRAME_LIMITS: Readonly<FrameLimits> = { maxBytes: 1_048_576, maxRecords: 4096 };

/** Reason codes {@link decodePayload} can return. */
export type DecodeReason = Extract<
  ReasonCode,
  | 'undecodable'
  | 'trailing_bytes'
  | 'not_an_object'
  | 'empty_frame'
  | 'frame_too_large'
  | 'frame_mixed_symbols'
>;

/**
 * Outcome of {@link decodePayload}. Records are plain objects of unknown shape;
 * run them through the validators before use.
 */
export type DecodeResult =
  | { ok: true; records: unknown[] }
  | { ok: false; reason: DecodeReason; detail: string };

// Optional fields (only `seq` today) set to undefined must be left out, not
// sent as nil or as msgpackr's fixext "undefined". `skipValues` does that but
// costs about a quarter of the encode time, so it is used only for records
// that need it. `skipValues` and `int64AsType: 'auto'` exist in msgpackr 2.x
// but are missing from its type declarations.
const baseOptions = {
  useRecords: false,
  moreTypes: false,
  structuredClone: false,
  bundleStrings: false,
  useFloat32: 0,
  encodeUndefinedAsNil: true,
  variableMapSize: true,
};
const packr = new Packr(baseOptions);
const skippingPackr = new Packr({ ...baseOptions, skipValues: [undefined] } as typeof baseOptions);

function hasUndefinedField(r: AnyRecord): boolean {
  return 'seq' in r && r.seq === undefined;
}

// 64-bit integers from other languages become numbers when exact, BigInt
// otherwise (which the validators then refuse rather than silently rounding).
const unpackOptions = { useRecords: false, mapsAsObjects: true, moreTypes: false, int64AsType: 'auto' };
const unpackr = new Unpackr(unpackOptions as ConstructorParameters<typeof Unpackr>[0]);

const TRAILING_BYTES_MESSAGE = 'Data read, but end of buffer not reached';

function pack(value: unknown, skipUndefined: boolean): Uint8Array {
  try {
    return (skipUndefined ? skippingPackr : packr).pack(value);
  } catch (err) {
    throw new TfError('TF_ERR_ENCODE', `cannot encode record: ${(err as Error).message}`, { cause: err });
  }
}

/** Encodes one record as a standard MessagePack map. Throws `TF_ERR_ENCODE` on unencodable values. */
export function encodeRecord(record: AnyRecord): Uint8Array {
  return pack(record, hasUndefinedField(record));
}

/**
 * Encodes a frame: an array of records of one venue and symbol. Throws
 * `TF_ERR_BAD_FRAME` when the frame is empty, mixes symbols or exceeds the limits.
 */
export function encodeFrame(
  records: readonly AnyRecord[],
  limits: FrameLimits = DEFAULT_FRAME_LIMITS,
): Uint8Array {
  const n = records.length;
  if (n === 0) throw new TfError('TF_ERR_BAD_FRAME', 'a frame must hold at least one record');
  if (n > limits.maxRecords) {
    throw new TfError('TF_ERR_BAD_FRAME', `a frame holds at most ${limits.maxRecords} records, got ${n}`);
  }
  const { venue, symbol } = records[0]!;
  let skipUndefined = hasUndefinedField(records[0]!);
  for (let i = 1; i < n; i++) {
    const r = records[i]!;
    if (hasUndefinedField(r)) skipUndefined = true;
    if (r.venue !== venue || r.symbol !== symbol) {
      throw new TfError(
        'TF_ERR_BAD_FRAME',
        `frame records must share venue and symbol: record ${i} is ${r.venue}/${r.symbol}, record 0 is ${venue}/${symbol}`,
      );
    }
  }
  const bytes = pack(records, skipUndefined);
  if (bytes.length > limits.maxBytes) {
    throw new TfError('TF_ERR_BAD_FRAME', `frame encodes to ${bytes.length} bytes, limit ${limits.maxBytes}`);
  }
  return bytes;
}

function isMap(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype;
}

function fail(reason: DecodeReason, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}

/** Element count from an array header at the start of `buf`, or -1 when it does not start with one. */
function arrayHeaderCount(buf: Uint8Array): number {
  const b = buf[0]!;
  if (b >= 0x90 && b <= 0x9f) return b & 0x0f;
  if (b === 0xdc && buf.length >= 3) return (buf[1]! << 8) | buf[2]!;
  if (b === 0xdd && buf.length >= 5)
    return ((buf[1]! << 24) | (buf[2]! << 16) | (buf[3]! << 8) | buf[4]!) >>> 0;
  return -1;
}

/**
 * Decodes a payload into its records. Never throws: bad bytes, trailing
 * bytes, non-map records, empty, oversize or mixed-symbol frames come back
 * as a reason code with a detail for the dead letter. Size and count limits
 * are checked from the header, before any decoding work.
 */
export function decodePayload(buf: Uint8Array, limits: FrameLimits = DEFAULT_FRAME_LIMITS): DecodeResult {
  if (!(buf instanceof Uint8Array)) return fail('undecodable', 'payload is not a byte array');
  if (buf.length === 0) return fail('undecodable', 'payload is empty');
  if (buf.length > limits.maxBytes) {
    return fail('frame_too_large', `payload is ${buf.length} bytes, limit ${limits.maxBytes}`);
  }
  const count = arrayHeaderCount(buf);
  if (count > limits.maxRecords) {
    return fail('frame_too_large', `frame holds ${count} records, limit ${limits.maxRecords}`);
  }
  if (count === 0) return fail('empty_frame', 'frame is an empty array');
  let value: unknown;
  try {
    value = unpackr.unpack(buf);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (message.startsWith(TRAILING_BYTES_MESSAGE)) {
      return fail('trailing_bytes', 'bytes remain after the first MessagePack value');
    }
    return fail('undecodable', message.slice(0, 200));
  }
  if (isMap(value)) return { ok: true, records: [value] };
  if (!Array.isArray(value))
    return fail('not_an_object', `payload is a ${describe(value)}, not a map or an array`);
  const first = value[0];
  if (!isMap(first)) return fail('not_an_object', `frame record 0 is a ${describe(first)}, not a map`);
  const venue = first['venue'];
  const symbol = first['symbol'];
  for (let i = 1; i < value.length; i++) {
    const r = value[i];
    if (!isMap(r)) return fail('not_an_object', `frame record ${i} is a ${describe(r)}, not a map`);
    if (r['venue'] !== venue || r['symbol'] !== symbol) {
      return fail('frame_mixed_symbols', `frame record ${i} has another venue or symbol than record 0`);
    }
  }
  return { ok: true, records: value };
}

function describe(x: unknown): string {
  if (x === null) return 'nil';
  if (Array.isArray(x)) return 'array';
  if (x instanceof Uint8Array) return 'binary';
  return typeof x === 'object' ? (x.constructor?.name ?? 'object') : typeof x;
}
