/**
 * The NATS probe: a thread of the harness with its own connection, subscribed to the engine's
 * candle outputs, timing each open-candle update from the publish time its trade carries. A
 * thread of its own, so the load's publish loop never delays a receive timestamp.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '@nats-io/transport-node';
import { decodePayload } from '../../schemas/index.js';
import type { TimedCandle } from '../engine/open-candle-latency.js';
import { epochNow } from './clock.js';
import { LatencyWindowRecorder } from './latency-window.js';
import type { FromReceiver, NatsProbeInit, ToNatsProbe } from './messages.js';

const init = workerData as NatsProbeInit;
const port = parentPort;
if (port === null) throw new Error('nats-probe-worker must run in a worker thread');
const post = (m: FromReceiver): void => port.postMessage(m);

try {
  const recorder = new LatencyWindowRecorder();
  const nc = await connect({ servers: init.servers, name: 'bench-harness-probe' });
  const sub = nc.subscribe(init.subject, {
    callback: (err, msg) => {
      if (err !== null) return;
      const now = epochNow();
      const d = decodePayload(msg.data);
      if (d.ok) recorder.update(msg.subject, d.records[0] as TimedCandle, now);
    },
  });
  await nc.flush();
  port.on('message', (m: ToNatsProbe) => {
    if (m.type === 'window') {
      post({ type: 'window', window: recorder.take(), closed: 0 });
      return;
    }
    sub.unsubscribe();
    void nc.close().then(() => port.close());
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
