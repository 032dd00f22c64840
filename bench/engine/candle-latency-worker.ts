/**
 * The candle subscriber of the latency phase, on its own thread and connection so the paced
 * publisher never delays a receive timestamp. Latency = receive time - the candle's lastTradeTs
 * (the trade's `ts`, Date.now() when it was published), both on this machine's clock.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '@nats-io/transport-node';
import * as hdr from 'hdr-histogram-js';
import { decodePayload } from '../../schemas/index.js';
import type { FromLatencyWorker, LatencyWorkerInit, ToLatencyWorker } from './candle-latency-messages.js';

const init = workerData as LatencyWorkerInit;
const port = parentPort;
if (port === null) throw new Error('candle-latency-worker must run in a worker thread');

// 1 µs to 60 s at 3 significant digits.
const histogram = hdr.build({
  lowestDiscernibleValue: 1,
  highestTrackableValue: 60_000_000,
  numberOfSignificantValueDigits: 3,
});
const lastSeen = new Map<string, number>();
let fromTs = Number.POSITIVE_INFINITY;
let received = 0;
const origin = performance.timeOrigin;

interface CandleFields {
  symbol: string;
  venue: string;
  closed: boolean;
  lastTradeTs: number;
}

const nc = await connect({ servers: init.servers, name: 'bench-latency' });
const sub = nc.subscribe(init.subject, {
  callback: (err, msg) => {
    if (err !== null) return;
    const now = origin + performance.now();
    received++;
    const d = decodePayload(msg.data);
    if (!d.ok) return;
    const c = d.records[0] as CandleFields;
    if (c.closed || c.lastTradeTs < fromTs) return;
    const key = msg.subject;
    const prev = lastSeen.get(key);
    if (prev !== undefined && c.lastTradeTs <= prev) return;
    lastSeen.set(key, c.lastTradeTs);
    histogram.recordValue(Math.max(1, Math.round((now - c.lastTradeTs) * 1000)));
  },
});
await nc.flush();

port.on('message', (m: ToLatencyWorker) => {
  if (m.type === 'start') {
    fromTs = m.fromTs;
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
