/**
 * The live keys of a KV bucket whose max age is its TTL, as a watch of the bucket shows them.
 * Each key is held with the local time its last PUT arrived: a delete or purge removes it, and a
 * key not written for a TTL is taken as expired, because nats-server 2.9 writes no marker when
 * max age removes a message.
 *
 * The lease manager reads membership and lease ownership from here instead of listing the bucket
 * with `kv.keys()`. That listing is a consumer that ends at the message whose pending count is
 * 0; when a key is deleted or expires while it runs, that message never comes and the listing
 * waits. Measured under put/delete churn: 5 listings of 1,925 waited past 5 s (scratch), and in
 * CI a rebalance pass waited for good, so the engine never took its share again.
 *
 * Arrival time rather than the server's timestamp: a clock skew between hosts can then only make
 * a key live longer (at most a TTL after its last write), never expire early.
 */
export class LiveKeys {
  readonly #ttlMs: number;
  readonly #seenAt = new Map<string, number>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /**
   * Applies one watch entry seen at `now`. Returns true when the set of live keys changed: a key
   * appeared (new, or back after expiring) or was deleted; a renewal returns false.
   */
  apply(key: string, operation: 'PUT' | 'DEL' | 'PURGE', now: number): boolean {
    if (operation !== 'PUT') return this.#seenAt.delete(key);
    const prev = this.#seenAt.get(key);
    this.#seenAt.set(key, now);
    return prev === undefined || now - prev >= this.#ttlMs;
  }

  /** Whether `key` was written within the TTL before `now`. */
  has(key: string, now: number): boolean {
    const at = this.#seenAt.get(key);
    return at !== undefined && now - at < this.#ttlMs;
  }

  /** The keys written within the TTL before `now`; expired ones are forgotten. */
  live(now: number): string[] {
    const out: string[] = [];
    for (const [key, at] of this.#seenAt) {
      if (now - at < this.#ttlMs) out.push(key);
      else this.#seenAt.delete(key);
    }
    return out;
  }
}
