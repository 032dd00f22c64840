/**
 * The pull loop of one partition's durable consumer.
 *
 * It uses `consumer.fetch` (one pull request of at most `maxBatch` messages, waiting up to
 * `expiresMs` at the server), not `consume`: `consume` refills its buffer on its own once it is
 * 75 % drained, so it keeps pulling while our handler is busy and holds up to twice the batch.
 * With fetch, the next pull is sent only after every message of the previous one was handled, so
 * at most `maxBatch` messages are delivered-but-unfinished at any time, and a `paused()`
 * predicate (a full mailbox, a slow sink) checked before each pull stops pulling entirely.
 * Within one pull, messages are handed to the handler as they arrive, in sub-batches of what is
 * already buffered, so a trickle is not held back until the pull fills or expires.
 */
import { type Consumer, type ConsumerMessages, type JsMsg, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { NatsEngineError } from './errors.js';
import {
  type ConsumerLoopOptions,
  type ResolvedConsumerLoopOptions,
  resolveConsumerLoopOptions,
} from './options.js';
import { partitionConsumerName } from './provisioning.js';

/** Backlog of one partition consumer, as the server reports it. */
export interface ConsumerLag {
  stream: string;
  consumer: string;
  partition: number;
  /** Messages in the stream not yet delivered to this consumer. */
  pending: number;
  /** Delivered, not yet acked. */
  ackPending: number;
  /** Delivered more than once and not yet acked. */
  redelivered: number;
}

/** Counters since start, for metrics. */
export interface ConsumerStats {
  pulls: number;
  batches: number;
  messages: number;
  /** Largest batch handed to the handler. */
  largestBatch: number;
}

/** What a {@link PartitionConsumer} runs. */
export interface PartitionConsumerConfig extends ConsumerLoopOptions {
  stream: string;
  partition: number;
  /** Durable name; default `partitionConsumerName(stream, partition)`. */
  consumerName?: string;
  /**
   * Processes one batch, in stream order, and resolves only when every message in it is acked
   * (or deliberately left unacked for redelivery). A rejection is reported to `onError`; the
   * batch's unacked messages come back after the consumer's ack wait.
   */
  handler: (batch: JsMsg[]) => Promise<void>;
  /** Backpressure: while it returns true no new pull is sent. */
  paused?: () => boolean;
  /** Called every `lagIntervalMs` with the server's view of the backlog. */
  onLag?: (lag: ConsumerLag) => void;
  /** Failed pulls, handler rejections and failed lag reads. The loop keeps going. */
  onError?: (err: Error) => void;
}

/**
 * Abort naks with this delay: nats-server 2.9 hands an immediate redelivery to our own pull
 * request, which it still holds after we unsubscribed, so the message would vanish until the ack
 * wait; a short delay lets the server drop that stale request first (measured in the live test).
 */
const ABORT_NAK_DELAY_MS = 250;

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Ends a pull without losing what the server already sent to it. `close()` unsubscribes the
 * inbox at once, so a message the server dispatched just before it saw the UNSUB is dropped by
 * the client and sits unacked until the ack wait (30 s by default) — long after the partition's
 * next owner has moved past it. Draining the inbox's subscription instead sends the UNSUB and
 * keeps delivering until the server confirms it, and the iterator then ends by itself (nats.js
 * stops it when its subscription finishes draining). The subscription is not part of the
 * iterator's public type, hence the narrow cast; without it we fall back to `close()`.
 */
function endPull(iter: ConsumerMessages): void {
  const sub = (iter as unknown as { sub?: { drain?: () => Promise<void> } }).sub;
  if (typeof sub?.drain === 'function') {
    sub.drain().catch(() => iter.close());
    return;
  }
  void iter.close();
}

/** Pulls one partition's durable consumer in bounded batches; see the module comment. */
export class PartitionConsumer {
  /** The loop options in force, defaults filled in. */
  readonly options: ResolvedConsumerLoopOptions;
  readonly stream: string;
  readonly partition: number;
  readonly consumerName: string;
  readonly #consumer: Consumer;
  readonly #config: PartitionConsumerConfig;
  readonly #stats: ConsumerStats = { pulls: 0, batches: 0, messages: 0, largestBatch: 0 };
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  #abort = false;
  #loop: Promise<void> | null = null;
  #iter: ConsumerMessages | null = null;
  #lagTimer: NodeJS.Timeout | undefined;
  #wake: (() => void) | null = null;

  private constructor(consumer: Consumer, config: PartitionConsumerConfig, name: string) {
    this.options = resolveConsumerLoopOptions(config);
    this.#consumer = consumer;
    this.#config = config;
    this.stream = config.stream;
    this.partition = config.partition;
    this.consumerName = name;
  }

  /** Binds to the existing durable consumer (see `provisionStreams`); does not start pulling. */
  static async open(nc: NatsConnection, config: PartitionConsumerConfig): Promise<PartitionConsumer> {
    resolveConsumerLoopOptions(config);
    if (typeof config.handler !== 'function') {
      throw new NatsEngineError('TF_ERR_NATS_OPTION', 'options.handler must be a function');
    }
    const name = config.consumerName ?? partitionConsumerName(config.stream, config.partition);
    const consumer = await jetstream(nc).consumers.get(config.stream, name);
    return new PartitionConsumer(consumer, config, name);
  }

  /** Counters since start. */
  stats(): ConsumerStats {
    return { ...this.#stats };
  }

  /** Starts the pull loop and the lag reports. */
  start(): void {
    if (this.#state !== 'new') return;
    this.#state = 'running';
    if (this.#config.onLag !== undefined) {
      this.#lagTimer = setInterval(() => void this.#reportLag(), this.options.lagIntervalMs);
    }
    this.#loop = this.#run();
  }

  /** Re-checks `paused()` now instead of at the next poll. */
  wake(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /**
   * Stops pulling. Messages already delivered to us are still handed to the handler (drain), and
   * the returned promise resolves once the handler has returned for all of them. With
   * `{ abort: true }` (the partition was lost) buffered messages are not handled but nak'ed, so
   * the new owner gets them promptly (see ABORT_NAK_DELAY_MS); only the batch already in the
   * handler finishes.
   */
  async stop(options: { abort?: boolean } = {}): Promise<void> {
    if (options.abort === true) this.#abort = true;
    if (this.#state === 'new') this.#state = 'stopped';
    if (this.#state === 'stopped') return;
    this.#state = 'stopping';
    clearInterval(this.#lagTimer);
    if (this.#iter !== null) endPull(this.#iter);
    this.wake();
    await this.#loop;
    this.#state = 'stopped';
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  async #run(): Promise<void> {
    const { maxBatch, expiresMs, pausePollMs, retryDelayMs } = this.options;
    const paused = this.#config.paused;
    while (this.#state === 'running') {
      if (paused?.() === true) {
        await this.#sleep(pausePollMs);
        continue;
      }
      let failed = false;
      let batch: JsMsg[] = [];
      try {
        const iter = await this.#consumer.fetch({ max_messages: maxBatch, expires: expiresMs });
        this.#stats.pulls++;
        this.#iter = iter;
        if (this.#state !== 'running') endPull(iter);
        for await (const m of iter) {
          if (this.#abort) {
            m.nak(ABORT_NAK_DELAY_MS);
            continue;
          }
          batch.push(m);
          if (iter.getPending() === 0) {
            await this.#deliver(batch);
            batch = [];
          }
        }
      } catch (err) {
        failed = true;
        this.#config.onError?.(asError(err));
      } finally {
        this.#iter = null;
      }
      if (batch.length > 0) {
        if (this.#abort) for (const m of batch) m.nak(ABORT_NAK_DELAY_MS);
        else await this.#deliver(batch);
      }
      if (failed && this.#state === 'running') await this.#sleep(retryDelayMs);
    }
  }

  async #deliver(batch: JsMsg[]): Promise<void> {
    const s = this.#stats;
    s.batches++;
    s.messages += batch.length;
    if (batch.length > s.largestBatch) s.largestBatch = batch.length;
    try {
      await this.#config.handler(batch);
    } catch (err) {
      this.#config.onError?.(asError(err));
    }
  }

  async #reportLag(): Promise<void> {
    try {
      const info = await this.#consumer.info(false);
      this.#config.onLag?.({
        stream: this.stream,
        consumer: this.consumerName,
        partition: this.partition,
        pending: info.num_pending,
        ackPending: info.num_ack_pending,
        redelivered: info.num_redelivered,
      });
    } catch (err) {
      this.#config.onError?.(asError(err));
    }
  }
}
