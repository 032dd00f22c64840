/**
 * Packed numeric storage for detector state, shared by the detectors of many
 * symbols in one thread. A typed array of its own costs a symbol ~180 bytes
 * of object overhead before its first number, about half the per-symbol
 * budget; blocks carved from 16 KiB chunks cost nothing per symbol beyond the
 * numbers and the references to the chunk's two views.
 *
 * Blocks are never reused: a chunk is freed by the garbage collector once no
 * detector references it, so a dropped symbol's block is wasted only while
 * its chunk-mates live.
 */

const CHUNK_DOUBLES = 2048;

/** A block of `doubles` 8-byte slots starting at `s[o]` (the same bytes are `f[2 * o…]`). */
export interface ArenaBlock {
  readonly s: Float64Array;
  readonly f: Float32Array;
  readonly o: number;
}

let chunk64: Float64Array | null = null;
let chunk32: Float32Array | null = null;
let used = 0;

/**
 * Carves a zeroed block of `doubles` slots. The config limits keep the largest
 * layout (60 price buckets, a 1000-candle volume history) near 600 slots,
 * well inside a chunk.
 */
export function allocateBlock(doubles: number): ArenaBlock {
  if (chunk64 === null || chunk32 === null || used + doubles > CHUNK_DOUBLES) {
    const buffer = new ArrayBuffer(CHUNK_DOUBLES * 8);
    chunk64 = new Float64Array(buffer);
    chunk32 = new Float32Array(buffer);
    used = 0;
  }
  const o = used;
  used += doubles;
  return { s: chunk64, f: chunk32, o };
}
