/**
 * The candle subscriber of the latency phase, on its own thread and connection so the paced
 * publisher never delays a receive timestamp. Latency = receive time - the candle's lastTradeTs
 * (the trade's `ts`, Date.now() when it was published), both on this machine's clock.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '@nats-io/transport-node';
import { decodePayload } from '../../schemas/index.js';
import type { FromLatencyWorker, LatencyWorkerInit, ToLatencyWorker } from './candle-latency-messages.js';
import { OpenCandleLatency, type TimedCandle } from './open-candle-latency.js';

const init = workerData as LatencyWorkerInit;
const port = parentPort;
if (port === null) throw new Error('candle-latency-worker must run in a worker thread');

const timer = new OpenCandleLatency();
// Nothing is counted before 'start'.
timer.fromTs = Number.POSITIVE_INFINITY;
const histogram = timer.histogram;
let received = 0;
const origin = performance.timeOrigin;

const nc = await connect({ servers: init.servers, name: 'bench-latency' });
const sub = nc.subscribe(init.subject, {
  callback: (err, msg) => {
    if (err !== null) return;
    const now = origin + performance.now();
    received++;
    const d = decodePayload(msg.data);
    if (!d.ok) return;
    timer.observe(msg.subject, d.records[0] as TimedCandle, now);
  },
});
await nc.flush();

port.on('message', (m: ToLatencyWorker) => {
  if (m.type === 'start') {
    timer.fromTs = m.fromTs;
    return;
  }
  sub.unsubscribe();
  const report: FromLatencyWorker = {
    type: 'report',
    received,
    samples: histogram.totalCount,
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    max: histogram.maxValue,
    mean: histogram.mean,
  };
  port.postMessage(report);
  void nc.close();
});
port.postMessage({ type: 'ready' } satisfies FromLatencyWorker);
