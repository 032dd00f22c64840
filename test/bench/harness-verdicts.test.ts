/**
 * The harness's pure parts: option parsing and its messages, the step verdict and the saturation
 * point, the soak verdict, the backlog trend, and the chart's shape.
 */
import t from 'tap';
import { latencyChartSvg } from '../../bench/harness/latency-chart.js';
import type { LatencySummary } from '../../bench/harness/latency-window.js';
import { slope, type WindowMeasurement } from '../../bench/harness/measure-window.js';
import { HARNESS_DEFAULTS, parseDuration, parseHarnessArgs } from '../../bench/harness/options.js';
import { resultBaseName } from '../../bench/harness/report.js';
import { continueRamp, judgeStep, lagTolerance, saturationIndex } from '../../bench/harness/saturation.js';
import { judgeSoak } from '../../bench/harness/soak.js';

function latency(p99: number): LatencySummary {
  return { samples: 100, p50: p99 / 4, p90: p99 / 2, p99, p999: p99 * 1.5, max: p99 * 2, mean: p99 / 3 };
}

/** A window of 10 s at `perSec` trades/s (frames of 10) with the given p99 and backlog samples. */
function window(perSec: number, p99: number, lags: number[], rss = 200 * 2 ** 20): WindowMeasurement {
  const times = lags.map((_, i) => (10 * i) / (lags.length - 1));
  return {
    seconds: 10,
    tradesIn: {
      trades: perSec * 10,
      perSec,
      messages: perSec,
      publishErrors: 0,
      publishFailed: 0,
      rejected: 0,
    },
    engine: { tradesPerSec: perSec, deadLetters: 0, rejects: 0, backpressureSeconds: 0 },
    candlesOut: { natsPerSec: 100, wsPerSec: 1000, wsPerClientPerSec: 100, gatewayOutPerSec: 1000 },
    latency: { nats: latency(p99 / 2), ws: latency(p99) },
    drops: { gatewayDrops: 0, gatewayDisconnects: 0, conflated: 0, clientsClosed: 0, publishFailed: 0 },
    lag: {
      start: lags[0]!,
      end: lags.at(-1)!,
      max: Math.max(...lags),
      ackPendingEnd: 0,
      slopePerSec: slope(times, lags),
      samples: lags,
    },
    usage: {
      engine: { cpuPercent: 50, rssEnd: rss, rssMax: rss },
      gateway: { cpuPercent: 10, rssEnd: 100 * 2 ** 20, rssMax: 100 * 2 ** 20 },
    },
    loadAverage: 1,
  };
}

const BOUND = { p99BoundMs: 250 };

t.test('options: defaults, durations, and one sentence naming each bad flag', async (t) => {
  const d = parseHarnessArgs([]);
  t.same(d.options.steps, HARNESS_DEFAULTS.steps, 'default steps');
  t.equal(d.help, false);
  t.equal(parseHarnessArgs(['--help']).help, true, '--help');
  const o = parseHarnessArgs([
    '--steps',
    '100,300',
    '--step-seconds',
    '5',
    '--no-stop',
    '--no-record',
    '--soak',
    '2m',
    '--soak-sample',
    '1m',
  ]).options;
  t.same(o.steps, [100, 300]);
  t.equal(o.stopAtSaturation, false, '--no-stop');
  t.equal(o.record, false, '--no-record');
  t.equal(o.soakSeconds, 120, '--soak 2m');
  t.equal(o.soakSampleSeconds, 30, 'a soak shorter than four samples gets four shorter samples');
  t.equal(d.options.frameDelayMs, 5, 'frames wait up to 5 ms for more trades, as the feeds do');
  t.equal(parseHarnessArgs(['--frame-delay-ms', '0']).options.frameDelayMs, 0, '--frame-delay-ms');
  t.equal(parseDuration('soak', '90'), 90);
  t.equal(parseDuration('soak', '1.5h'), 5400);
  const bad: [string[], RegExp][] = [
    [['--steps', '500,200'], /--steps must be ascending/],
    [['--steps', '500,x'], /--steps must be an integer in \[1, 10000000\], got "x"/],
    [['--clients', '0'], /--clients must be an integer in \[1, 100000\], got "0"/],
    [['--clients', '2', '--client-procs', '3'], /--client-procs \(3\) must not exceed --clients \(2\)/],
    [['--soak', '5x'], /--soak must be a duration .* got "5x"/],
    [['--soak', '5s'], /--soak must be at least 8s/],
    [['--qdb-heap', 'lots'], /--qdb-heap must be a JVM heap size/],
    [['--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [argv, message] of bad) {
    t.throws(() => parseHarnessArgs(argv), { code: 'TF_ERR_BENCH_USAGE', message }, argv.join(' '));
  }
});

t.test('step verdicts and the saturation point', async (t) => {
  const ok = judgeStep(1000, window(995, 40, [10, 30, 5, 20, 12]), BOUND);
  t.same(
    ok,
    { sustained: true, underdelivered: false, lagGrowing: false, keptUp: true, reasons: [] },
    'sustained',
  );

  const slow = judgeStep(1000, window(1000, 400, [0, 0, 0]), BOUND);
  t.equal(slow.sustained, false);
  t.equal(slow.keptUp, true, 'kept up, but too slow');
  t.match(slow.reasons, [/p99 publish -> WebSocket latency 400\.0 ms is over the 250 ms bound/]);

  const short = judgeStep(1000, window(800, 40, [0, 0]), BOUND);
  t.equal(short.underdelivered, true);
  t.match(short.reasons, [/the load reached 800 trades\/s, under 90% of the 1000 trades\/s target/]);

  const dropped = window(1000, 40, [0, 0]);
  dropped.drops.gatewayDisconnects = 98;
  dropped.drops.clientsClosed = 98;
  const cut = judgeStep(1000, dropped, BOUND);
  t.equal(cut.sustained, false, 'clients disconnected: not sustained');
  t.equal(cut.keptUp, true, 'though the engine kept up');
  t.match(cut.reasons, [/the gateway disconnected 98 WebSocket clients that fell behind/]);

  const growing = judgeStep(1000, window(1000, 40, [0, 2000, 4000, 6000, 8000]), BOUND);
  t.equal(growing.lagGrowing, true, 'a backlog rising all step long grows');
  t.match(growing.reasons, [/the consumer backlog grew from 0 to 8000 messages/]);

  // One sample a second, as measureWindow takes them.
  const quiet = Array.from({ length: 20 }, (_, i) => 100 + (i % 3) * 10);
  const blip = judgeStep(1000, window(1000, 40, [...quiet, 2500]), BOUND);
  t.equal(blip.lagGrowing, false, 'one high sample at the end, with a flat trend, is not growth');
  const sawtooth = judgeStep(1000, window(1000, 40, [3000, 0, 3000, 0, 3000]), BOUND);
  t.equal(sawtooth.lagGrowing, false, 'a sawtooth is not growth');
  t.equal(lagTolerance(100), 1000, 'the tolerance has a floor');
  t.equal(lagTolerance(100_000), 5000, 'and is 5% of the messages above it');

  const none = judgeStep(1000, window(1000, 40, [0, 0]), BOUND);
  t.equal(none.sustained, true);
  const empty = window(1000, 40, [0, 0]);
  empty.latency.ws.samples = 0;
  t.match(judgeStep(1000, empty, BOUND).reasons, [/no candle update reached the timed WebSocket clients/]);

  const v = (sustained: boolean) => ({
    sustained,
    underdelivered: false,
    lagGrowing: false,
    keptUp: true,
    reasons: [],
  });
  t.equal(
    saturationIndex([v(true), v(true), v(false)]),
    1,
    'the last sustained step before the first failure',
  );
  t.equal(saturationIndex([v(true), v(false), v(true)]), 0, 'a later lucky step does not count');
  t.equal(saturationIndex([v(false), v(true)]), null, 'none when the first step fails');
  t.equal(saturationIndex([v(true), v(true)]), 1, 'the last step when the ramp ended first');

  const kept = (sustained: boolean, keptUp: boolean) => ({ ...v(sustained), keptUp });
  t.equal(continueRamp([]), true, 'the ramp starts');
  t.equal(continueRamp([kept(true, true)]), true, 'on after a sustained step');
  t.equal(
    continueRamp([kept(true, true), kept(false, true)]),
    false,
    'stops at the first step past saturation',
  );
  t.equal(
    continueRamp([kept(false, true)]),
    true,
    'on while nothing was sustained and the pipeline keeps up',
  );
  t.equal(continueRamp([kept(false, true), kept(false, false)]), false, 'stops when it no longer keeps up');
});

t.test('soak verdict: last quarter against first quarter', async (t) => {
  const flat = Array.from({ length: 8 }, (_, i) => window(700, 40 + (i % 2), [10, 12]));
  const v = judgeSoak(flat);
  t.equal(v.quarter, 2);
  t.equal(v.flat, true, 'flat');

  const leaking = Array.from({ length: 8 }, (_, i) => window(700, 40, [10, 12], (200 + 40 * i) * 2 ** 20));
  const l = judgeSoak(leaking);
  t.equal(l.flat, false, 'RSS growing 40 MiB a sample is not flat');
  t.equal(l.engineRssBytes.flat, false);
  t.equal(l.wsP99Ms.flat, true);

  const slower = Array.from({ length: 8 }, (_, i) => window(700, i < 4 ? 40 : 120, [10, 12]));
  t.equal(judgeSoak(slower).wsP99Ms.flat, false, 'p99 tripling is not flat');

  const backlog = Array.from({ length: 8 }, (_, i) => window(700, 40, [0, i * 5000]));
  t.equal(judgeSoak(backlog).backlogMessages.flat, false, 'a backlog building up is not flat');
});

t.test('backlog trend by least squares', async (t) => {
  t.equal(slope([0, 1, 2, 3], [5, 7, 9, 11]), 2);
  t.equal(slope([0, 1, 2], [4, 4, 4]), 0);
  t.equal(slope([0], [4]), 0, 'one point has no trend');
});

t.test('the chart: well-formed SVG, log axis, bound and saturation marked', async (t) => {
  const points = [
    { rate: 990, sustained: true, wsP50: 2, wsP99: 20, wsP999: 40, natsP99: 10 },
    { rate: 4900, sustained: true, wsP50: 3, wsP99: 60, wsP999: 90, natsP99: 30 },
    { rate: 8000, sustained: false, wsP50: 300, wsP99: 2000, wsP999: 3000, natsP99: 1500 },
  ];
  const svg = latencyChartSvg(points, {
    title: 'a & b',
    subtitle: ['one', 'two'],
    boundMs: 250,
    saturationRate: 4900,
  });
  t.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"') && svg.trimEnd().endsWith('</svg>'));
  t.match(svg, /a &amp; b/, 'text is escaped');
  t.match(svg, /p99 bound 250 ms/, 'the bound is marked');
  t.match(svg, /saturation 4\.9k trades\/s/, 'the saturation point is marked');
  t.match(svg, />1 ms</, 'decades on the latency axis');
  t.match(svg, />1 s</);
  t.equal((svg.match(/<polyline /g) ?? []).length, 4, 'one line per series');
  t.equal((svg.match(/fill="#fff"/g) ?? []).length, 4, 'the unsustained step is hollow in each series');
  const none = latencyChartSvg(points.slice(2), {
    title: 't',
    subtitle: [],
    boundMs: 250,
    saturationRate: null,
  });
  t.notMatch(none, /saturation/, 'no saturation mark without a saturation point');
  t.equal(resultBaseName('2026-11-25T15:43:07.123Z'), 'harness-2026-11-25T1543Z');
});
