/**
 * Watches a set of durable consumers through the JetStream API, the same way for the raw ceiling
 * and for the engine, so both sides are timed by one rule: consumption starts when any of them
 * has delivered a message, and ends when every one has nothing pending and nothing awaiting ack.
 */
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { BenchEngineError } from './bench-error.js';

/** One durable consumer to watch. */
export interface WatchedConsumer {
  stream: string;
  name: string;
}

/** Wall-clock marks of one drain, `performance.now()` milliseconds. */
export interface DrainTimes {
  /** First poll that saw a delivery (at most one poll interval late). */
  firstDelivery: number;
  /** First poll that saw every consumer drained and fully acked. */
  drained: number;
  /** Messages the consumers delivered during the watch (redeliveries included). */
  delivered: number;
  /** Messages delivered more than once, summed over the consumers. */
  redelivered: number;
}

/** Sum of messages pending on these consumers (not yet delivered). */
export async function pendingMessages(
  nc: NatsConnection,
  consumers: readonly WatchedConsumer[],
): Promise<number> {
  const jsm = await jetstreamManager(nc);
  let n = 0;
  for (const c of consumers) n += (await jsm.consumers.info(c.stream, c.name)).num_pending;
  return n;
}

/** Sums over a set of consumers from one round of consumer-info requests. */
export interface ConsumerTotals {
  /** Messages delivered so far (the consumers' delivered sequences, summed). */
  delivered: number;
  /** Messages not yet delivered: the backlog. */
  pending: number;
  /** Delivered, not yet acked. */
  ackPending: number;
  redelivered: number;
}

/** One consumer-info request per consumer, summed. */
export async function consumerTotals(
  jsm: JetStreamManager,
  consumers: readonly WatchedConsumer[],
): Promise<ConsumerTotals> {
  const infos = await Promise.all(consumers.map((c) => jsm.consumers.info(c.stream, c.name)));
  const out: ConsumerTotals = { delivered: 0, pending: 0, ackPending: 0, redelivered: 0 };
  for (const i of infos) {
    out.delivered += i.delivered.consumer_seq;
    out.pending += i.num_pending;
    out.ackPending += i.num_ack_pending;
    out.redelivered += i.num_redelivered;
  }
  return out;
}

/**
 * Polls every `everyMs` until the consumers are drained; rejects after `timeoutMs`. The consumers
 * must have a backlog when this is called, or "drained" is seen at once.
 */
export async function watchDrain(
  nc: NatsConnection,
  consumers: readonly WatchedConsumer[],
  options: { everyMs: number; timeoutMs: number },
): Promise<DrainTimes> {
  const jsm = await jetstreamManager(nc);
  const base = await consumerTotals(jsm, consumers);
  const deadline = performance.now() + options.timeoutMs;
  let firstDelivery = base.pending === 0 ? performance.now() : Number.NaN;
  for (;;) {
    const p = await consumerTotals(jsm, consumers);
    const now = performance.now();
    if (Number.isNaN(firstDelivery) && p.delivered > base.delivered) firstDelivery = now;
    if (p.pending === 0 && p.ackPending === 0) {
      return {
        firstDelivery: Number.isNaN(firstDelivery) ? now : firstDelivery,
        drained: now,
        delivered: p.delivered - base.delivered,
        redelivered: p.redelivered,
      };
    }
    if (now > deadline) {
      throw new BenchEngineError(
        'TF_ERR_BENCH_TIMEOUT',
        `consumers not drained after ${options.timeoutMs} ms: ${p.pending} pending, ${p.ackPending} awaiting ack`,
      );
    }
    await new Promise((r) => setTimeout(r, options.everyMs));
  }
}
