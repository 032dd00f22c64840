import t from 'tap';
import {
  alertSlot,
  createEngineMetrics,
  intervalSlot,
  MetricsAggregator,
  WorkerMetrics,
  type WorkerMetricsMessage,
} from '../../../engine/observability/index.js';

async function value(
  m: ReturnType<typeof createEngineMetrics>,
  name: string,
  labels: Record<string, string> = {},
) {
  const json = await m.registry.getMetricsAsJSON();
  const metric = json.find((x) => x.name === name);
  const hit = metric?.values.find((v) =>
    Object.entries(labels).every(([k, l]) => String((v.labels as Record<string, unknown>)[k]) === l),
  );
  return hit?.value;
}

t.test('folding deltas from two workers, then a restart', async (t) => {
  const metrics = createEngineMetrics({ version: '0.1.0' });
  const agg = new MetricsAggregator(metrics);
  const w0 = new WorkerMetrics(0, agg.incarnationOf(0));
  const w1 = new WorkerMetrics(1, agg.incarnationOf(1));

  w0.trades += 3;
  w0.quotes += 1;
  w0.lateTrades += 1;
  w0.candlesOut[intervalSlot('1m')]! += 2;
  w0.alerts[alertSlot('price_spike', 'critical')]! += 1;
  w0.reject('bad_price');
  w0.reject('bad_price');
  w0.deadLetter('bad_price');
  w0.observeLatency(0.000004); // le 5e-6
  w0.observeLatency(0.00002); // le 2.5e-5
  w0.observeLatency(2); // +Inf
  w1.trades += 5;
  w1.revisions += 1;
  w1.rowsFlushed('candles', 40);
  w1.observeSinkFlush(0.003); // le 0.005
  w1.sinkFlushErrors += 1;

  const d0 = w0.takeDelta()!;
  t.equal(d0.seq, 1);
  t.equal(d0.trades, 3);
  t.equal(w0.takeDelta(), undefined, 'nothing new, nothing sent');
  t.ok(agg.fold(d0));
  t.notOk(agg.fold(d0), 'the same delta twice is ignored');
  t.ok(agg.fold(w1.takeDelta()!));

  w0.trades += 2;
  w0.observeLatency(0.00002);
  t.ok(agg.fold(w0.takeDelta()!));

  t.equal(await value(metrics, 'tickflow_engine_trades_total', { shard: '0' }), 5);
  t.equal(await value(metrics, 'tickflow_engine_trades_total', { shard: '1' }), 5);
  t.equal(await value(metrics, 'tickflow_engine_quotes_total', { shard: '0' }), 1);
  t.equal(await value(metrics, 'tickflow_engine_late_trades_total'), 1);
  t.equal(await value(metrics, 'tickflow_engine_revisions_total'), 1);
  t.equal(await value(metrics, 'tickflow_engine_candles_out_total', { interval: '1m' }), 2);
  t.equal(
    await value(metrics, 'tickflow_engine_alerts_total', { kind: 'price_spike', severity: 'critical' }),
    1,
  );
  t.equal(await value(metrics, 'tickflow_engine_rejects_total', { reason: 'bad_price' }), 2);
  t.equal(await value(metrics, 'tickflow_engine_dead_letters_total', { reason: 'bad_price' }), 1);
  t.equal(await value(metrics, 'tickflow_engine_sink_rows_total', { table: 'candles' }), 40);
  t.equal(await value(metrics, 'tickflow_engine_sink_flush_errors_total'), 1);
  // Buckets 5e-6, 1e-5, 2.5e-5, 5e-5, …, 1, +Inf: one at 5e-6, two more by 2.5e-5, one only in +Inf.
  t.same(metrics.processingLatency.cumulative(), [1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4]);
  t.equal(metrics.processingLatency.count, 4);
  t.equal(metrics.processingLatency.sum, 0.000004 + 0.00002 + 2 + 0.00002);
  t.same(metrics.sinkFlush.cumulative().slice(0, 4), [0, 0, 1, 1]);

  // Shard 0's worker dies; its replacement starts from zero as incarnation 1.
  t.equal(agg.workerRestarted(0), 1);
  const w0b = new WorkerMetrics(0, agg.incarnationOf(0));
  w0b.trades += 4;
  w0b.observeLatency(0.0001); // le 1e-4
  const fresh = w0b.takeDelta()!;
  t.equal(fresh.seq, 1, 'a new incarnation numbers from 1 again');
  t.ok(agg.fold(fresh));
  t.equal(
    await value(metrics, 'tickflow_engine_trades_total', { shard: '0' }),
    9,
    'counters continue, never reset',
  );
  t.equal(await value(metrics, 'tickflow_engine_worker_restarts_total', { shard: '0' }), 1);
  t.same(metrics.processingLatency.cumulative(), [1, 1, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5]);

  t.notOk(agg.fold({ type: 'worker-metrics', shard: 0 }), 'malformed messages are refused');
  const text = await metrics.registry.metrics();
  t.match(text, /tickflow_engine_processing_latency_seconds_bucket\{le="0.000005"\} 1\n/);
  t.match(text, /tickflow_engine_processing_latency_seconds_bucket\{le="\+Inf"\} 5\n/);
  t.match(text, /tickflow_engine_processing_latency_seconds_count 5\n/);
  t.match(text, /# TYPE tickflow_engine_processing_latency_seconds histogram/);
  t.match(text, /tickflow_engine_build_info\{version="0\.1\.0",node="[0-9.]+"\} 1/);
});

t.test('backpressure gauge and accrued seconds', async (t) => {
  let now = 1_000;
  const metrics = createEngineMetrics({ version: 'x', now: () => now });
  metrics.setBackpressure(2, true);
  now += 1_500;
  metrics.setBackpressure(2, true);
  now += 500;
  metrics.setBackpressure(2, false);
  t.equal(await value(metrics, 'tickflow_engine_backpressure', { shard: '2' }), 0);
  t.equal(await value(metrics, 'tickflow_engine_backpressure_seconds_total', { shard: '2' }), 2);
  metrics.setBackpressure(2, true);
  now += 250;
  t.equal(await value(metrics, 'tickflow_engine_backpressure', { shard: '2' }), 1);
  t.equal(
    await value(metrics, 'tickflow_engine_backpressure_seconds_total', { shard: '2' }),
    2.25,
    'ongoing time counts at scrape',
  );
  now += 250;
  metrics.setBackpressure(2, false);
  t.equal(await value(metrics, 'tickflow_engine_backpressure_seconds_total', { shard: '2' }), 2.5);
});

t.test(
  'shard event-loop delay: folded from the deltas, sampled by start() while the thread is blocked',
  async (t) => {
    const metrics = createEngineMetrics({ version: '0.1.0' });
    const agg = new MetricsAggregator(metrics);
    const w = new WorkerMetrics(0, agg.incarnationOf(0));
    w.observeLoopDelay(0.0005); // le 0.001
    w.observeLoopDelay(0.03); // le 0.05
    t.ok(agg.fold(w.takeDelta()!));
    t.same(metrics.loopDelay.cumulative().slice(0, 6), [1, 1, 1, 1, 1, 2]);
    t.equal(metrics.loopDelay.count, 2);

    // A real block: the sampler's next tick is late by about the block's length.
    const posted: WorkerMetricsMessage[] = [];
    w.start((m) => posted.push(m), 1_000_000, 10);
    t.teardown(() => w.stop());
    await new Promise((r) => setTimeout(r, 30));
    const until = performance.now() + 120;
    while (performance.now() < until) {
      // busy: the thread cannot run its timers
    }
    await new Promise((r) => setTimeout(r, 30));
    w.stop();
    const d = w.takeDelta()!;
    t.ok(d.loopDelay.count >= 2, `samples taken (${d.loopDelay.count})`);
    // Buckets from index 6 hold delays above 0.05 s.
    const late = d.loopDelay.counts.slice(6).reduce((a, b) => a + b, 0);
    t.ok(late >= 1, `one sample saw the ~120 ms block (sum ${d.loopDelay.sum.toFixed(3)} s)`);
    t.ok(d.loopDelay.sum >= 0.09, 'the delays add up to about the block');
  },
);
