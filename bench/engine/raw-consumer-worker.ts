/**
 * One raw consumer thread: its own NATS connection, one pull loop per owned partition with the
 * engine's fetch shape (`fetch` of `fetchBatch`, next pull only after the previous one is
 * handled), and per message only what any consumer must do: decode and ack.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { decodePayload } from '../../schemas/index.js';
import type { FromRawWorker, RawWorkerInit, ToRawWorker } from './raw-consumer-messages.js';

const init = workerData as RawWorkerInit;
const port = parentPort;
if (port === null) throw new Error('raw-consumer-worker must run in a worker thread');

const totals = { messages: 0, records: 0, undecodable: 0, pullErrors: 0 };
const RETRY_DELAY_MS = 250;
let stopping = false;

async function pull(name: string, expected: number, js: ReturnType<typeof jetstream>): Promise<void> {
  const consumer = await js.consumers.get(init.stream, name);
  let seen = 0;
  // Pulls until told to stop, not until `expected`: a lost ack is redelivered after the ack wait
  // and must be pulled again, or the consumer never drains.
  while (!stopping) {
    try {
      const iter = await consumer.fetch({ max_messages: init.fetchBatch, expires: init.fetchExpiresMs });
      for await (const m of iter) {
        const d = decodePayload(m.data);
        if (d.ok) totals.records += d.records.length;
        else totals.undecodable++;
        m.ack();
        totals.messages++;
        // The last pull would otherwise wait out its expiry for messages that will not come.
        if (++seen >= expected && iter.getPending() === 0) break;
      }
    } catch {
      // As the engine's pull loop does: a failed pull (missed heartbeats on a busy machine) is
      // counted and retried; what it had delivered and we had not acked comes back after ack wait.
      totals.pullErrors++;
      await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
    }
  }
}

function post(m: FromRawWorker): void {
  port?.postMessage(m);
}

try {
  const nc = await connect({ servers: init.servers, name: 'bench-raw' });
  const js = jetstream(nc);
  port.on('message', (m: ToRawWorker) => {
    if (m.type === 'go') {
      for (let i = 0; i < init.consumers.length; i++) void pull(init.consumers[i]!, init.expected[i]!, js);
      return;
    }
    stopping = true;
    post({ type: 'done', ...totals });
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
