/**
 * What a person reads after a run: the summary printed to stdout, the JSON and SVG files under
 * bench/results/, and the headline lines appended to bench/RESULTS.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HarnessResult, StepResult } from './harness.js';
import { type ChartPoint, latencyChartSvg } from './latency-chart.js';
import type { WindowMeasurement } from './measure-window.js';

/** A count or rate, rounded, with thousands separators. */
export const fmt = (n: number): string => Math.round(n).toLocaleString('en');
const mib = (b: number): string => `${Math.round(b / 1048576)} MiB`;
const ms = (x: number): string => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

/** Files written by {@link writeResultFiles}. */
export interface ResultFiles {
  json: string;
  svg: string;
}

/** `harness-2026-11-25T1530Z` for a run started at that minute (UTC). */
export function resultBaseName(startedAt: string): string {
  return `harness-${startedAt.slice(0, 16).replace(/:/g, '')}Z`;
}

/** Writes `<out>/harness-<date>.json` and `.svg`. */
export function writeResultFiles(r: HarnessResult): ResultFiles {
  mkdirSync(r.options.outDir, { recursive: true });
  const base = join(r.options.outDir, resultBaseName(r.startedAt));
  const files = { json: `${base}.json`, svg: `${base}.svg` };
  writeFileSync(files.json, `${JSON.stringify(r, null, 2)}\n`);
  const points: ChartPoint[] = r.steps.map((s) => ({
    rate: s.tradesIn.perSec,
    sustained: s.verdict.sustained,
    wsP50: s.latency.ws.p50,
    wsP99: s.latency.ws.p99,
    wsP999: s.latency.ws.p999,
    natsP99: s.latency.nats.p99,
  }));
  const sat = r.saturation === null ? null : r.steps[r.saturation]!;
  writeFileSync(
    files.svg,
    latencyChartSvg(points, {
      title: 'tickflow harness: trade published -> 1s candle update, by achieved rate',
      subtitle: [
        `${r.startedAt.slice(0, 16).replace('T', ' ')} UTC: ${r.options.clients} WS clients, ${r.options.symbols} symbols, ` +
          `frames of ${r.options.frame}, ${r.options.partitions} partitions, ${r.options.shards} shards`,
        r.machine,
      ],
      boundMs: r.options.p99BoundMs,
      saturationRate: sat === null ? null : sat.tradesIn.perSec,
    }),
  );
  return files;
}

function cpu(s: StepResult, group: string): string {
  return `${Math.round(s.usage[group]?.cpuPercent ?? 0)}%`;
}

/** The table of steps and the verdicts, for stdout. */
export function summaryText(r: HarnessResult, files: ResultFiles | null): string {
  const lines: string[] = [];
  lines.push('', `bench/harness: ${r.machine}; load average at start ${r.loadAverageAtStart.join(' ')}`);
  const head =
    'target/s  in/s     NATS 1s/s  WS msgs/s  WS p50     WS p99     WS p99.9   NATS p99   backlog      ' +
    'CPU eng/gw/nats/qdb   RSS eng/gw         load  sustained';
  lines.push(head);
  for (const s of r.steps) {
    lines.push(
      [
        fmt(s.targetRate).padEnd(9),
        fmt(s.tradesIn.perSec).padEnd(8),
        fmt(s.candlesOut.natsPerSec).padEnd(10),
        fmt(s.candlesOut.wsPerSec).padEnd(10),
        ms(s.latency.ws.p50).padEnd(10),
        ms(s.latency.ws.p99).padEnd(10),
        ms(s.latency.ws.p999).padEnd(10),
        ms(s.latency.nats.p99).padEnd(10),
        `${s.lag.start}->${s.lag.end}`.padEnd(12),
        `${cpu(s, 'engine')}/${cpu(s, 'gateway')}/${cpu(s, 'nats')}/${cpu(s, 'questdb')}`.padEnd(21),
        `${mib(s.usage['engine']?.rssEnd ?? 0)}/${mib(s.usage['gateway']?.rssEnd ?? 0)}`.padEnd(18),
        s.loadAverage.toFixed(1).padEnd(5),
        s.verdict.sustained ? 'yes' : `no: ${s.verdict.reasons.join('; ')}`,
      ].join(' '),
    );
  }
  lines.push(`saturation: ${headline(r)}`);
  const drops = r.steps.reduce(
    (a, s) =>
      a + s.drops.gatewayDrops + s.drops.gatewayDisconnects + s.drops.clientsClosed + s.drops.publishFailed,
    0,
  );
  lines.push(
    `published ${fmt(r.published.trades)} trades in ${fmt(r.published.messages)} messages ` +
      `(${r.published.failed} failed, ${r.published.rejected} rejected); drops + disconnects over the steps: ${drops}; ` +
      `peak RSS engine ${mib(r.peakRss.engine)}, gateway ${mib(r.peakRss.gateway)}`,
  );
  if (r.soak !== null) lines.push(`soak: ${soakLine(r)}`);
  if (r.baselines !== null) lines.push(`baselines: ${baselineLine(r)}`);
  if (files !== null) lines.push(`results: ${files.json}`, `chart:   ${files.svg}`);
  return lines.join('\n');
}

/** The saturation point in one line. */
export function headline(r: HarnessResult): string {
  const setup =
    `${r.options.clients} WS clients, ${r.options.symbols} symbols, frames of ${r.options.frame}` +
    (r.options.frame > 1 ? ` (sent after at most ${r.options.frameDelayMs} ms)` : '');
  if (r.saturation === null) {
    const first = r.steps[0];
    const kept = r.steps.filter((s) => s.verdict.keptUp).at(-1);
    return (
      `no step sustained (p99 publish -> WS <= ${r.options.p99BoundMs} ms and a backlog that does not grow); ` +
      `first step ${fmt(r.options.steps[0] ?? 0)}/s: ${first?.verdict.reasons.join('; ') ?? 'not run'}` +
      (first === undefined
        ? ''
        : ` (WS p50 ${ms(first.latency.ws.p50)}, p99.9 ${ms(first.latency.ws.p999)}; NATS p99 ${ms(first.latency.nats.p99)}; ` +
          `CPU engine ${cpu(first, 'engine')}, gateway ${cpu(first, 'gateway')}; RSS engine ` +
          `${mib(first.usage['engine']?.rssEnd ?? 0)}, gateway ${mib(first.usage['gateway']?.rssEnd ?? 0)})`) +
      (kept === undefined
        ? ''
        : `; highest step that kept up, latency aside: ${fmt(kept.tradesIn.perSec)} trades/s`) +
      ` (${setup}; load average ${r.loadAverageAtStart[0]} at start)`
    );
  }
  const s = r.steps[r.saturation]!;
  const next = r.steps[r.saturation + 1];
  return (
    `**${fmt(s.tradesIn.perSec)} trades/s** sustained (step ${fmt(s.targetRate)}/s; p99 bound ${r.options.p99BoundMs} ms), ` +
    `${setup}: publish -> WS p50 ${ms(s.latency.ws.p50)}, p99 ${ms(s.latency.ws.p99)}, p99.9 ${ms(s.latency.ws.p999)}; ` +
    `publish -> NATS p99 ${ms(s.latency.nats.p99)}; ${fmt(s.candlesOut.wsPerSec)} WS msgs/s; ` +
    `CPU engine ${cpu(s, 'engine')}, gateway ${cpu(s, 'gateway')} of one core; RSS engine ${mib(s.usage['engine']?.rssEnd ?? 0)}, ` +
    `gateway ${mib(s.usage['gateway']?.rssEnd ?? 0)}` +
    (next === undefined
      ? '; the ramp ended before saturation'
      : `; next step ${fmt(next.targetRate)}/s: ${next.verdict.reasons.join('; ')}`) +
    `; load average ${r.loadAverageAtStart[0]} at start, ${s.loadAverage} at the step`
  );
}

/** The soak verdict in one line. */
export function soakLine(r: HarnessResult): string {
  const k = r.soak;
  if (k === null) return 'not run';
  const v = k.verdict;
  const minutes = (k.samples.length * k.sampleSeconds) / 60;
  return (
    `${fmt(k.targetRate)} trades/s (${k.basis === 'saturation' ? '70% of saturation' : '--soak-rate'}) for ${minutes.toFixed(1)} min, ` +
    `${k.samples.length} samples; last vs first quarter: WS p99 ${ms(v.wsP99Ms.first)} -> ${ms(v.wsP99Ms.last)} ` +
    `(limit ${ms(v.wsP99Ms.limit)}), engine RSS ${mib(v.engineRssBytes.first)} -> ${mib(v.engineRssBytes.last)}, ` +
    `gateway RSS ${mib(v.gatewayRssBytes.first)} -> ${mib(v.gatewayRssBytes.last)}, backlog ${fmt(v.backlogMessages.first)} -> ` +
    `${fmt(v.backlogMessages.last)} msgs: **${v.flat ? 'flat' : 'NOT flat'}**`
  );
}

/** The baselines and ratios in one line. */
export function baselineLine(r: HarnessResult): string {
  const b = r.baselines;
  if (b === null) return 'not run';
  return (
    `engine saturation / raw JetStream ceiling (${fmt(b.raw.tradesPerSec)} trades/s, frames of ${b.raw.frame}) = ` +
    `${b.engineVsRaw === null ? 'n/a (no sustained step)' : `**${(100 * b.engineVsRaw).toFixed(1)}%**`} (target >= 70%); ` +
    `gateway / ws fan-out at ${b.fanout.clients} clients = ${fmt(b.fanout.gatewayPerSec)} / ${fmt(b.fanout.wsPerSec)} msgs/s = ` +
    `**${b.fanout.ratio.toFixed(2)}x** (target >= 5x); actors / tardis-dev bars = ${fmt(b.actors.tickflowPerSec)} / ` +
    `${fmt(b.actors.tardisPerSec)} trades/s = **${b.actors.ratio.toFixed(2)}x** (target >= 5x)`
  );
}

/** One progress line for a step or a soak sample. */
export function describeWindow(label: string, m: WindowMeasurement): string {
  const ws = m.latency.ws;
  const u = m.usage;
  return (
    `${label}: in ${fmt(m.tradesIn.perSec)}/s; 1s candles NATS ${fmt(m.candlesOut.natsPerSec)}/s, ` +
    `WS ${fmt(m.candlesOut.wsPerSec)}/s; WS p50/p99/p99.9 ${ws.p50.toFixed(1)}/${ws.p99.toFixed(1)}/${ws.p999.toFixed(1)} ms, ` +
    `NATS p99 ${m.latency.nats.p99.toFixed(1)} ms; backlog ${m.lag.start}->${m.lag.end}; ` +
    `CPU engine ${u['engine']?.cpuPercent ?? 0}% gateway ${u['gateway']?.cpuPercent ?? 0}%; ` +
    `RSS engine ${mib(u['engine']?.rssEnd ?? 0)} gateway ${mib(u['gateway']?.rssEnd ?? 0)}; load avg ${m.loadAverage}`
  );
}
