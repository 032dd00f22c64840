/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
 * attempt n waits a uniform random time in [0, min(maxMs, baseMs * 2^n)). Full jitter spreads a
 * crowd of clients that lost the same server, so they do not reconnect in lockstep.
 */
import { ConnectorError } from './errors.js';

/** Options of a {@link Backoff}. */
export interface BackoffOptions {
  /** Ceiling of the first delay, ms. Default 500. */
  baseMs?: number;
  /** Largest ceiling, ms. Default 30000. */
  maxMs?: number;
  /** Uniform random in [0, 1); injected for tests. Default `Math.random`. */
  random?: () => number;
}

/** Delays for successive reconnect attempts; `reset()` after a connection proved healthy. */
export class Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
  private readonly random: () => number;
  private attempt = 0;

  constructor(options: BackoffOptions = {}) {
    const baseMs = options.baseMs ?? 500;
    const maxMs = options.maxMs ?? 30_000;
    if (!(Number.isFinite(baseMs) && baseMs > 0)) {
      throw new ConnectorError(
        'TF_ERR_CONNECTOR_OPTION',
        `options.baseMs must be a number > 0, got ${baseMs}`,
      );
    }
    if (!(Number.isFinite(maxMs) && maxMs >= baseMs)) {
      throw new ConnectorError(
        'TF_ERR_CONNECTOR_OPTION',
        `options.maxMs must be a number >= baseMs (${baseMs}), got ${maxMs}`,
      );
    }
    this.baseMs = baseMs;
    this.maxMs = maxMs;
    this.random = options.random ?? Math.random;
  }

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt, ms; each call counts one attempt. */
  next(): number {
    // 2^n overflows nothing useful past 2^30; the ceiling is reached long before.
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * ceiling);
  }

  reset(): void {
    this.attempt = 0;
  }
}
