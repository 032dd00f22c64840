/**
 * Holds a publishing loop to a target rate with a token bucket. When the bucket runs dry the
 * caller sleeps for whole milliseconds and then publishes the batch of tokens that accrued, so
 * a high rate costs one timer per millisecond, never a busy spin or a timer per record.
 */
import { setTimeout as sleepMs } from 'node:timers/promises';
import { FeedError } from './errors.js';

/** Time source of a {@link Pacer}; injected so pacing is testable without waiting. */
export interface PacerClock {
  /** Milliseconds, any origin, may be fractional. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Options of a {@link Pacer}. */
export interface PacerOptions {
  /**
   * Most tokens the bucket holds, in ms of the rate (default 50): it absorbs timer overshoot so
   * the long-run rate holds, and bounds the burst after the caller stalls.
   */
  burstMs?: number;
  clock?: PacerClock;
}

const realClock: PacerClock = {
  now: () => performance.now(),
  sleep: (ms) => sleepMs(ms),
};

/** A token bucket at `ratePerSec` records per second; rate 0 means as fast as possible. */
export class Pacer {
  readonly ratePerSec: number;
  private readonly clock: PacerClock;
  private readonly cap: number;
  private tokens = 0;
  private last: number;

  constructor(ratePerSec: number, options: PacerOptions = {}) {
    if (!(Number.isFinite(ratePerSec) && ratePerSec >= 0)) {
      throw new FeedError(
        'TF_ERR_FEED_OPTION',
        `the pacer rate must be a finite number >= 0, got ${ratePerSec}`,
      );
    }
    const burstMs = options.burstMs ?? 50;
    if (!(Number.isFinite(burstMs) && burstMs >= 1)) {
      throw new FeedError('TF_ERR_FEED_OPTION', `options.burstMs must be a number >= 1, got ${burstMs}`);
    }
    this.ratePerSec = ratePerSec;
    this.clock = options.clock ?? realClock;
    this.cap = Math.max(1, (ratePerSec * burstMs) / 1000);
    this.last = this.clock.now();
  }

  /**
   * Takes `n` tokens. Returns undefined when the caller may go on at once, else a promise to
   * await first. The tokens are taken either way (the bucket goes into debt), so the caller
   * publishes its record after the wait and does not call again for it.
   */
  take(n = 1): Promise<void> | undefined {
    if (this.ratePerSec === 0) return undefined;
    this.tokens -= n;
    if (this.tokens >= 0) return undefined;
    // The clock is read only when the bucket runs dry: once per batch, not per record.
    const now = this.clock.now();
    this.tokens = Math.min(this.cap, this.tokens + n + ((now - this.last) * this.ratePerSec) / 1000) - n;
    this.last = now;
    if (this.tokens >= 0) return undefined;
    return this.clock.sleep(Math.max(1, Math.ceil((-this.tokens * 1000) / this.ratePerSec)));
  }
}
