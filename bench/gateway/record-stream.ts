/**
 * The records both fan-outs serve: msgpack trade payloads for a few `sim`
 * symbols, encoded once and replayed in a cycle, so both servers decode,
 * validate and forward byte-identical input.
 */

import { encodeRecord, type Trade } from '../../schemas/index.js';

/** Symbols of venue `sim` the benchmark trades. */
export const BENCH_SYMBOLS = 10;

/** `count` distinct single-trade payloads over {@link BENCH_SYMBOLS} symbols. */
export function tradePayloads(count: number, now = Date.now()): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const trade: Trade = {
      v: 1,
      type: 'trade',
      venue: 'sim',
      symbol: `S${i % BENCH_SYMBOLS}/USD`,
      price: 100 + (i % 97) * 0.01,
      size: 1 + (i % 7),
      side: i % 2 === 0 ? 'buy' : 'sell',
      id: String(i),
      ts: now - count + i,
      recvTs: now - count + i,
    };
    out.push(encodeRecord(trade));
  }
  return out;
}
