/**
 * bench/gateway: messages delivered per second to N WebSocket clients (N =
 * 100 and 1000) by the gateway (uWebSockets.js topics) against the same
 * protocol served with the `ws` library, same records, same client harness.
 * Each server runs in its own process fed in-process with replayed trade
 * payloads; clients run in forked processes (several per process) and count
 * updates. Prints the ratio (target ≥ 5×) and appends it to bench/RESULTS.md.
 *
 * Runs alternate gateway and ws `--repeat` times per N and keep each side's
 * median, because a shared machine's load drifts between runs.
 *
 * Run: npx tsc -p . && node build/bench/gateway/run.js [--clients 100,1000] [--seconds 5] [--repeat 3] [--no-record]
 */

import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { recordResult } from '../results-file.js';
import { measureFanout, medianRun, type FanoutRun as Run } from './fanout-measure.js';
import type { FanoutImpl } from './messages.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '100,1000' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    repeat: { type: 'string', default: '3' },
    'no-record': { type: 'boolean', default: false },
  },
});
const CLIENT_COUNTS = values.clients.split(',').map(Number);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const REPEAT = Number(values.repeat);

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const measure = (impl: FanoutImpl, clients: number): Promise<Run> =>
  measureFanout(impl, clients, { seconds: SECONDS, warmup: WARMUP });
const median = medianRun;

const lines: string[] = [];
for (const clients of CLIENT_COUNTS) {
  const gwRuns: Run[] = [];
  const wsRuns: Run[] = [];
  for (let i = 0; i < REPEAT; i++) {
    gwRuns.push(await measure('gateway', clients));
    wsRuns.push(await measure('ws', clients));
  }
  const gw = median(gwRuns);
  const ws = median(wsRuns);
  for (const [r, all] of [
    [gw, gwRuns],
    [ws, wsRuns],
  ] as const)
    console.log(
      `${r.detail.padEnd(16)} ${String(r.clients).padStart(5)} clients: ${fmt(r.delivered).padStart(12)} msgs/s delivered (median of ` +
        `${all.map((x) => fmt(x.delivered)).join(', ')}), ${fmt(r.recordsPerSec)} records/s fed, ${fmt(r.drops)} drops`,
    );
  const ratio = gw.delivered / ws.delivered;
  console.log(`  ratio gateway / ws at ${clients} clients: ${ratio.toFixed(2)}× (target ≥ 5×)\n`);
  lines.push(
    `${clients} clients: gateway ${fmt(gw.delivered)} msgs/s vs ws ${fmt(ws.delivered)} msgs/s = ${ratio.toFixed(2)}×`,
  );
}
if (!values['no-record'])
  await recordResult(
    'Gateway fan-out (bench/gateway)',
    `${lines.join('; ')} (median of ${REPEAT}, target ≥ 5×, load average ${loadavg()[0]!.toFixed(1)})`,
  );
