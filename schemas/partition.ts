/**
 * The partition function, identical to NATS server subject mapping
 * `{{partition(P,1,2)}}`: the server concatenates the selected tokens with no
 * separator, hashes those bytes with FNV-32a and takes the hash mod P
 * (nats-server `subject_transform.go`, `TransformTokenizedSubject` and
 * `getHashPartition`). So `partitionOf(v, s, P)` is the token the server would
 * append to `md.trade.<v>.<s>`.
 */

import { TfError } from './errors.js';

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

function mix(h: number, byte: number): number {
  return Math.imul(h ^ byte, FNV32_PRIME) >>> 0;
}

/**
 * Continues an FNV-32a hash over the UTF-8 bytes of `s`, encoding on the fly
 * to avoid a TextEncoder buffer per call. A lone surrogate hashes as U+FFFD,
 * as TextEncoder (and Go's string conversion of invalid input) would encode it.
 */
function hashUtf8(h: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = mix(h, c);
      continue;
    }
    if (c < 0x800) {
      h = mix(h, 0xc0 | (c >> 6));
      h = mix(h, 0x80 | (c & 0x3f));
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        h = mix(h, 0xf0 | (cp >> 18));
        h = mix(h, 0x80 | ((cp >> 12) & 0x3f));
        h = mix(h, 0x80 | ((cp >> 6) & 0x3f));
        h = mix(h, 0x80 | (cp & 0x3f));
        i++;
        continue;
      }
      c = 0xfffd;
    }
    h = mix(h, 0xe0 | (c >> 12));
    h = mix(h, 0x80 | ((c >> 6) & 0x3f));
    h = mix(h, 0x80 | (c & 0x3f));
  }
  return h;
}

/** FNV-32a of the UTF-8 encoding of `s`, as an unsigned 32-bit integer. */
export function fnv32a(s: string): number {
  return hashUtf8(FNV32_OFFSET, s);
}

/**
 * Partition of a (venue, symbol) pair: FNV-32a over the venue token's bytes
 * followed directly by the escaped symbol token's bytes, mod `partitions`.
 * Takes subject tokens, not raw symbols: pass `escapeSymbol(symbol)`.
 * Throws `TF_ERR_BAD_PARTITION` unless `partitions` is an integer in [1, 2^31).
 */
export function partitionOf(venueToken: string, symbolToken: string, partitions: number): number {
  if (!(partitions >= 1 && partitions < 2147483648 && Math.floor(partitions) === partitions)) {
    throw new TfError(
      'TF_ERR_BAD_PARTITION',
      `partition count ${partitions} must be an integer in [1, 2^31)`,
    );
  }
  return hashUtf8(hashUtf8(FNV32_OFFSET, venueToken), symbolToken) % partitions;
}
