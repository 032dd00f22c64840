/**
 * The one clock of a harness run. Every process of the run (the load, the NATS probe, the WS
 * client processes) reads it the same way: epoch milliseconds with sub-millisecond resolution,
 * taken from the monotonic clock that all processes on the machine share, anchored at each
 * process's start. A trade's `ts` is stamped with it at publish, so a candle update's
 * `lastTradeTs` is a publish time that a receiver on the same machine can subtract from.
 */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
