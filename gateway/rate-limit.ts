/**
 * Token bucket for client messages: `burst` tokens, refilled at
 * `ratePerSecond`. One per connection, updated in place (no allocation per message).
 */

/** A token bucket's state; create with {@link createTokenBucket}. */
export interface TokenBucket {
  tokens: number;
  /** Time of the last refill, in ms. */
  last: number;
  ratePerMs: number;
  burst: number;
}

/** A full bucket. */
export function createTokenBucket(ratePerSecond: number, burst: number, now: number): TokenBucket {
  return { tokens: burst, last: now, ratePerMs: ratePerSecond / 1000, burst };
}

/** Takes one token; false (and nothing taken) when the bucket is empty. */
export function takeToken(b: TokenBucket, now: number): boolean {
  const elapsed = now - b.last;
  if (elapsed > 0) {
    const t = b.tokens + elapsed * b.ratePerMs;
    b.tokens = Math.min(t, b.burst);
    b.last = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}
