/**
 * The baseline: consume + decode + ack of the same messages, with the engine's partition count,
 * fetch batch and shard threads. It pulls through its own durable consumers on the same stream
 * (same filter subject per partition, same ack wait and max ack pending, starting at the phase's
 * first sequence), so the engine's consumers are left untouched and no message is copied.
 */
import { Worker } from 'node:worker_threads';
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { nanos } from '@nats-io/transport-node';
import { partitionFilter } from '../../schemas/index.js';
import { BenchEngineError } from './bench-error.js';
import { type DrainTimes, type WatchedConsumer, watchDrain } from './drain-watch.js';
import type { FromRawWorker, RawDoneMessage, RawWorkerInit, ToRawWorker } from './raw-consumer-messages.js';

/** What the raw side needs to mirror the engine. */
export interface RawCeilingOptions {
  servers: string[];
  stream: string;
  partitions: number;
  /** Worker threads, as many as the engine has shards; partition p goes to thread p mod threads. */
  threads: number;
  fetchBatch: number;
  fetchExpiresMs: number;
  ackWaitMs: number;
  maxAckPending: number;
  /** First stream sequence of the messages to consume. */
  fromSeq: number;
  /** Tags the durable names, so phases never share a consumer. */
  tag: string;
  timeoutMs: number;
}

/** Outcome of one raw run. */
export interface RawCeilingResult {
  times: DrainTimes;
  messages: number;
  records: number;
  undecodable: number;
  pullErrors: number;
}

function rawName(tag: string, p: number): string {
  return `BENCH_RAW_${tag}_p${p}`;
}

function startWorker(init: RawWorkerInit): {
  worker: Worker;
  ready: Promise<void>;
  done: Promise<RawDoneMessage>;
} {
  const worker = new Worker(new URL('./raw-consumer-worker.js', import.meta.url), { workerData: init });
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => {
    onReady = r;
  });
  const done = new Promise<RawDoneMessage>((resolve, reject) => {
    worker.on('message', (m: FromRawWorker) => {
      if (m.type === 'ready') onReady();
      else if (m.type === 'done') resolve(m);
      else reject(new BenchEngineError('TF_ERR_BENCH_WORKER', `raw consumer thread failed: ${m.message}`));
    });
    worker.on('error', (err) =>
      reject(new BenchEngineError('TF_ERR_BENCH_WORKER', 'raw consumer thread crashed', { cause: err })),
    );
  });
  // A failure before 'ready' must not leave the caller waiting on it.
  done.catch(() => onReady());
  return { worker, ready, done };
}

/** Runs the raw ceiling once over the messages from `fromSeq` to the end of the stream. */
export async function runRawCeiling(nc: NatsConnection, o: RawCeilingOptions): Promise<RawCeilingResult> {
  const jsm = await jetstreamManager(nc);
  const names: string[] = [];
  const pending: number[] = [];
  for (let p = 0; p < o.partitions; p++) {
    const name = rawName(o.tag, p);
    const info = await jsm.consumers.add(o.stream, {
      durable_name: name,
      filter_subject: partitionFilter('trade', p),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: o.fromSeq,
      ack_wait: nanos(o.ackWaitMs),
      max_ack_pending: o.maxAckPending,
    });
    names.push(name);
    pending.push(info.num_pending);
  }
  const workers: ReturnType<typeof startWorker>[] = [];
  try {
    for (let t = 0; t < o.threads; t++) {
      const init: RawWorkerInit = {
        servers: o.servers,
        stream: o.stream,
        consumers: [],
        expected: [],
        fetchBatch: o.fetchBatch,
        fetchExpiresMs: o.fetchExpiresMs,
      };
      for (let p = t; p < o.partitions; p += o.threads) {
        init.consumers.push(names[p]!);
        init.expected.push(pending[p]!);
      }
      workers.push(startWorker(init));
    }
    for (const w of workers) await w.ready;
    const watched: WatchedConsumer[] = [];
    for (const name of names) watched.push({ stream: o.stream, name });
    const watch = watchDrain(nc, watched, { everyMs: 20, timeoutMs: o.timeoutMs });
    for (const w of workers) w.worker.postMessage({ type: 'go' } satisfies ToRawWorker);
    const failed = Promise.race(workers.map((w) => w.done.then(() => new Promise<never>(() => undefined))));
    const times = await Promise.race([watch, failed]);
    for (const w of workers) w.worker.postMessage({ type: 'stop' } satisfies ToRawWorker);
    const dones = await Promise.all(workers.map((w) => w.done));
    const result: RawCeilingResult = { times, messages: 0, records: 0, undecodable: 0, pullErrors: 0 };
    for (const d of dones) {
      result.messages += d.messages;
      result.records += d.records;
      result.undecodable += d.undecodable;
      result.pullErrors += d.pullErrors;
    }
    return result;
  } finally {
    for (const w of workers) await w.worker.terminate();
    for (const name of names) await jsm.consumers.delete(o.stream, name).catch(() => undefined);
  }
}
