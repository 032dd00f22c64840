/**
 * The load: the simulated market (Zipf-skewed symbols, GBM prices) published through the feeds'
 * Publisher (framing, message ids, bounded acks in flight), paced by a token bucket to a target
 * rate that the ramp changes step by step. Every trade's `ts` and `recvTs` are the publish time on
 * the run's clock, so receivers can time the candle updates it produces.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Pacer } from '../../feeds/publisher/pacer.js';
import { Publisher, type PublisherStats } from '../../feeds/publisher/publisher.js';
import { SimulatedMarket } from '../../feeds/simulator/market.js';
import type { Trade } from '../../schemas/index.js';
import { epochNow } from './clock.js';

/** How the load is made. */
export interface LoadOptions {
  partitions: number;
  symbols: number;
  seed: number;
  /** Most trades of one symbol per message (1 = unframed). */
  frame: number;
  /** Longest wait of a frame for more trades. */
  frameDelayMs: number;
  /** Unique per run: JetStream de-duplicates on message ids. */
  msgIdPrefix: string;
  /** Sees every trade handed to the publisher (after its timestamps are set). */
  onTrade?: (t: Trade) => void;
}

// Without a pacing sleep or backpressure the loop would never let socket writes and acks run.
const YIELD_EVERY = 1024;
/**
 * The pacer's bucket holds a second of tokens: on a loaded machine the loop's timers fire late
 * (100-250 ms stalls are common with two cores shared), and a load that dropped the trades due
 * meanwhile would report the machine's stalls as a lower achieved rate.
 */
const PACER = { burstMs: 1000 };
/**
 * Acks in flight: 4× the feeds' default, so a loaded NATS answering in a few hundred ms still
 * lets the load reach a few thousand messages per second (at 256, 250 ms acks cap it near 1,000).
 */
const MAX_IN_FLIGHT = 1024;

/** A paced publishing loop whose rate can change while it runs. */
export class SteppedLoad {
  readonly #publisher: Publisher;
  readonly #market: SimulatedMarket;
  readonly #onTrade: ((t: Trade) => void) | undefined;
  #pacer = new Pacer(1, PACER);
  #stopping = false;
  #loop: Promise<void> | null = null;
  #failed: unknown = null;

  constructor(nc: NatsConnection, o: LoadOptions) {
    this.#publisher = new Publisher(jetstream(nc), {
      partitions: o.partitions,
      frameMaxRecords: o.frame,
      frameMaxDelayMs: o.frameDelayMs,
      msgIdPrefix: o.msgIdPrefix,
      maxInFlight: MAX_IN_FLIGHT,
    });
    this.#market = new SimulatedMarket({ seed: o.seed, symbols: o.symbols, quoteFraction: 0 });
    this.#onTrade = o.onTrade;
  }

  /** Target trades per second from now on; starts the loop on first use. */
  setRate(ratePerSec: number): void {
    this.#pacer = new Pacer(ratePerSec, PACER);
    this.#loop ??= this.#run().catch((err: unknown) => {
      this.#failed = err;
    });
  }

  /** The publisher's counters (throws if the loop failed). */
  stats(): PublisherStats {
    if (this.#failed !== null) throw this.#failed;
    return this.#publisher.stats();
  }

  /** Stops publishing, sends open frames and waits for every ack; returns the final counters. */
  async stop(): Promise<PublisherStats> {
    this.#stopping = true;
    await this.#loop;
    await this.#publisher.close();
    return this.stats();
  }

  async #run(): Promise<void> {
    const publisher = this.#publisher;
    const market = this.#market;
    let n = 0;
    while (!this.#stopping) {
      if ((++n & (YIELD_EVERY - 1)) === 0) await yieldToLoop();
      const r = market.next();
      if (r.type !== 'trade') continue;
      const ts = epochNow();
      r.ts = ts;
      r.recvTs = ts;
      this.#onTrade?.(r);
      const wait = publisher.publish(r);
      if (wait !== undefined) await wait;
      const pace = this.#pacer.take();
      if (pace !== undefined) await pace;
    }
  }
}
