/**
 * Retry delays for failed flushes: exponential, capped, with jitter so that many shards
 * that failed together (QuestDB restarted) do not all retry in the same millisecond.
 */

/**
 * Delay before retry number `attempt` (1 = the first retry): the window
 * `min(maxMs, minMs * 2^(attempt-1))`, of which the upper half is drawn at random
 * ("equal jitter"), so a delay never drops below half its window nor exceeds `maxMs`.
 * `random` returns a number in [0, 1).
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const exp = attempt <= 1 ? 0 : Math.min(attempt - 1, 30);
  const window = Math.min(maxMs, minMs * 2 ** exp);
  return Math.round(window / 2 + random() * (window / 2));
}
