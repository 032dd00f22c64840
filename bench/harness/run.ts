/**
 * bench/harness: the load test of the whole pipeline. A stepped ramp of target rates through the
 * simulated feed, the engine and the gateway to WebSocket clients, on its own NATS and QuestDB;
 * per step trades/s in, candle updates/s out, publish -> NATS and publish -> WS latency, drops,
 * consumer backlog, CPU and RSS; the saturation point; optionally a soak and baselines.
 * Writes bench/results/harness-<date>.json and .svg and appends the headline to bench/RESULTS.md.
 *
 * Run: make bench   (or: node build/bench/harness/run.js --help)
 */
import { recordResult } from '../results-file.js';
import { runHarness } from './harness.js';
import { HARNESS_HELP, HarnessUsageError, parseHarnessArgs } from './options.js';
import { baselineLine, headline, soakLine, summaryText, writeResultFiles } from './report.js';

let parsed: ReturnType<typeof parseHarnessArgs>;
try {
  parsed = parseHarnessArgs(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof HarnessUsageError)) throw err;
  process.stderr.write(`bench/harness: ${err.message}\n(see --help)\n`);
  process.exit(2);
}
if (parsed.help) {
  process.stdout.write(HARNESS_HELP);
  process.exit(0);
}
const o = parsed.options;
console.log(
  `bench/harness: steps ${o.steps.join(', ')} trades/s, ${o.stepSeconds} s each after ${o.warmupSeconds} s warm-up ` +
    `(${o.startWarmupSeconds} s before the first); ` +
    `p99 bound ${o.p99BoundMs} ms; ${o.clients} clients in ${o.clientProcs} processes; ${o.symbols} symbols` +
    (o.soakSeconds > 0 ? `; soak ${o.soakSeconds} s` : '') +
    (o.baselines ? '; with baselines' : ''),
);
const result = await runHarness(o);
const files = writeResultFiles(result);
console.log(summaryText(result, files));
if (o.record) {
  await recordResult('bench/harness — stepped ramp', headline(result));
  if (result.soak !== null) await recordResult('bench/harness — soak', soakLine(result));
  if (result.baselines !== null)
    await recordResult('bench/harness — baselines in the same run', baselineLine(result));
}
