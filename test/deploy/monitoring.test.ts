/**
 * The Grafana dashboards (deploy/grafana/*.json) and Prometheus alert rules
 * (deploy/prometheus/*.yml) only reference metrics and labels the code
 * registers, cover what operators need, and pass `promtool check rules` and
 * the rule unit tests (`promtool test rules`) when promtool is installed.
 */

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import tap from 'tap';

const t = tap;

import { parse } from 'yaml';
import { createEngineMetrics } from '../../engine/observability/engine-metrics.js';
import { createGatewayMetrics } from '../../gateway/metrics.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GRAFANA = `${ROOT}deploy/grafana/`;
const PROMETHEUS = `${ROOT}deploy/prometheus/`;

/** Labels Prometheus adds or histograms carry, valid on every series. */
const IMPLICIT_LABELS = new Set(['instance', 'job', 'le']);

/** Every series name the code exposes → its label names. */
async function exposedSeries(): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const registries = [
    createEngineMetrics({ version: 'test' }).registry,
    createGatewayMetrics('uws').registry,
  ];
  for (const registry of registries) {
    for (const m of await registry.getMetricsAsJSON()) {
      const metric = registry.getSingleMetric(m.name) as unknown as { labelNames?: readonly string[] };
      const labels = new Set(metric.labelNames ?? []);
      const names =
        String(m.type) === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name];
      for (const n of names) out.set(n, labels);
    }
  }
  return out;
}

const METRIC_RE = /\btickflow_[a-z0-9_]+/g;

/** Metric names in a PromQL expression, and the label names it groups or filters by. */
function references(expr: string): { metrics: string[]; labels: string[] } {
  const metrics = [...new Set(expr.match(METRIC_RE) ?? [])];
  const labels: string[] = [];
  for (const m of expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g))
    for (const l of m[1]!.split(',')) if (l.trim() !== '') labels.push(l.trim());
  for (const m of expr.matchAll(/tickflow_[a-z0-9_]+\{([^}]*)\}/g))
    for (const pair of m[1]!.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) labels.push(pair[1]!);
  return { metrics, labels };
}

function checkExpr(
  t: Pick<typeof tap, 'ok'>,
  series: Map<string, Set<string>>,
  where: string,
  expr: string,
): void {
  const { metrics, labels } = references(expr);
  t.ok(metrics.length > 0, `${where}: references a tickflow metric`);
  const allowed = new Set(IMPLICIT_LABELS);
  for (const m of metrics) {
    const known = series.get(m);
    t.ok(known !== undefined, `${where}: ${m} is registered by the code`);
    for (const l of known ?? []) allowed.add(l);
  }
  for (const l of labels) t.ok(allowed.has(l), `${where}: label ${l} exists on ${metrics.join(', ')}`);
}

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; refId: string }[];
}

const series = await exposedSeries();

t.test('the name extraction finds metrics and labels', async (t) => {
  t.same(
    references('sum by (reason) (rate(tickflow_gateway_drops_total{reason=~"a|b", instance!="x"}[5m])) > 1'),
    { metrics: ['tickflow_gateway_drops_total'], labels: ['reason', 'reason', 'instance'] },
  );
  t.ok(series.has('tickflow_engine_processing_latency_seconds_bucket'));
  t.same([...(series.get('tickflow_engine_consumer_lag') ?? [])].sort(), ['partition', 'stream']);
  const failed: string[] = [];
  const probe = {
    ok: (v: unknown, msg?: string): boolean => {
      if (!v) failed.push(msg ?? '');
      return Boolean(v);
    },
  };
  checkExpr(probe as Pick<typeof tap, 'ok'>, series, 'x', 'sum by (shard) (tickflow_engine_nope_total)');
  checkExpr(probe as Pick<typeof tap, 'ok'>, series, 'y', 'sum by (shard) (tickflow_engine_consumer_lag)');
  t.same(failed, [
    'x: tickflow_engine_nope_total is registered by the code',
    'x: label shard exists on tickflow_engine_nope_total',
    'y: label shard exists on tickflow_engine_consumer_lag',
  ]);
});

const dashboards = readdirSync(GRAFANA).filter((f) => f.endsWith('.json'));
t.same(dashboards.sort(), ['tickflow-engine.json', 'tickflow-gateway.json'], 'one dashboard per component');

const used = new Set<string>();
for (const file of dashboards) {
  t.test(`grafana ${file}`, async (t) => {
    const d = JSON.parse(readFileSync(GRAFANA + file, 'utf8')) as { uid: string; panels: Panel[] };
    t.equal(d.uid, file.replace('.json', ''), 'uid matches the file name');
    const ids = new Set<number>();
    const cells = new Map<string, string>();
    const overlaps: string[] = [];
    for (const p of d.panels) {
      t.notOk(ids.has(p.id), `panel id ${p.id} is unique`);
      ids.add(p.id);
      // No two panels may cover the same grid cell of Grafana's 24-column layout.
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          const cell = `${x},${y}`;
          const owner = cells.get(cell);
          if (owner !== undefined) overlaps.push(`${p.title} over ${owner} at ${cell}`);
          cells.set(cell, p.title);
        }
      t.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title} fits the 24 columns`);
      if (p.type === 'row') continue;
      t.ok((p.targets ?? []).length > 0, `${p.title} has queries`);
      for (const target of p.targets ?? []) {
        checkExpr(t, series, `${file} "${p.title}" ${target.refId}`, target.expr);
        for (const m of references(target.expr).metrics) used.add(m);
      }
    }
    t.same(overlaps, [], 'no two panels overlap');
  });
}

t.test('the dashboards cover what operators watch', async (t) => {
  const needed = [
    'tickflow_engine_trades_total',
    'tickflow_engine_consumer_lag',
    'tickflow_engine_processing_latency_seconds_bucket',
    'tickflow_engine_sink_flush_seconds_bucket',
    'tickflow_engine_sink_flush_errors_total',
    'tickflow_engine_backpressure',
    'tickflow_engine_worker_restarts_total',
    'tickflow_engine_dead_letters_total',
    'tickflow_gateway_connections',
    'tickflow_gateway_messages_out_total',
    'tickflow_gateway_bytes_out_total',
    'tickflow_gateway_drops_total',
    'tickflow_gateway_disconnects_total',
    'tickflow_gateway_rest_latency_seconds_bucket',
  ];
  for (const m of needed) t.ok(used.has(m), `a panel shows ${m}`);
});

interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const RULE_FILE = `${PROMETHEUS}tickflow-alerts.yml`;
const rules = (
  parse(readFileSync(RULE_FILE, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);

t.test('alert rules reference real metrics and carry severity and summary', async (t) => {
  const names = new Set<string>();
  for (const r of rules) {
    const name = r.alert ?? '(no name)';
    t.ok(r.alert !== undefined, `${name}: is an alerting rule`);
    t.notOk(names.has(name), `${name}: unique`);
    names.add(name);
    checkExpr(t, series, name, r.expr ?? '');
    t.ok(
      ['warning', 'critical'].includes(r.labels?.['severity'] ?? ''),
      `${name}: severity warning|critical`,
    );
    t.ok((r.annotations?.['summary'] ?? '').length > 0, `${name}: has a summary`);
  }
  for (const required of [
    'TickflowIngestStalled',
    'TickflowConsumerLagGrowing',
    'TickflowQuestDbFlushErrors',
    'TickflowGatewayDrops',
    'TickflowWorkerRestarts',
  ])
    t.ok(names.has(required), `${required} is defined`);
  const stalled = rules.find((r) => r.alert === 'TickflowIngestStalled');
  t.equal(stalled?.for, '5m', 'ingest stalled waits 5m');
  t.match(stalled?.expr ?? '', /rate\(tickflow_engine_trades_total\[5m\]\)\) == 0/);
  t.match(stalled?.expr ?? '', /sum\(tickflow_engine_consumer_lag\) > 0/);
});

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const noPromtool =
  promtool.error !== undefined ? 'promtool is not installed (apt-get install -y prometheus)' : false;

t.test('promtool check rules', { skip: noPromtool }, async (t) => {
  const r = spawnSync('promtool', ['check', 'rules', RULE_FILE], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.match(r.stdout, `SUCCESS: ${rules.length} rules found`);
});

t.test('promtool test rules (alert unit tests)', { skip: noPromtool }, async (t) => {
  const r = spawnSync('promtool', ['test', 'rules', `${PROMETHEUS}tickflow-alerts.test.yml`], {
    encoding: 'utf8',
  });
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.match(r.stdout, 'SUCCESS');
});
