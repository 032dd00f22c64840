import fc from 'fast-check';
import t from 'tap';
import type { IndicatorSpec } from '../../../actors/indicators/index.js';
import {
  DEFAULT_INDICATORS,
  IndicatorProgram,
  indicatorOutputNames,
} from '../../../actors/indicators/index.js';
import type { Candle } from '../../../schemas/records.js';
import { candle, closeSeries, DAY, MINUTE, randomCandles } from './candle-factory.js';
import { runProgram } from './program-run.js';
import { referenceOutputs, refReturnMeanSquare } from './reference.js';

const EXTRA: readonly IndicatorSpec[] = [
  { kind: 'sma', period: 1 },
  { kind: 'sma', period: 50 },
  { kind: 'ema', period: 1 },
  { kind: 'ema', period: 7 },
  { kind: 'rsi', period: 1 },
  { kind: 'rsi', period: 5 },
  { kind: 'macd', fast: 5, slow: 35, signal: 5 },
  { kind: 'macd', fast: 1, slow: 2, signal: 1 },
  { kind: 'bollinger', period: 10, stddev: 1.5 },
  { kind: 'bollinger', period: 1, stddev: 2 },
  { kind: 'atr', period: 1 },
  { kind: 'atr', period: 30 },
  { kind: 'volatility', period: 2 },
  { kind: 'volatility', period: 49 },
];
const ALL: readonly IndicatorSpec[] = [...DEFAULT_INDICATORS, ...EXTRA];

/**
 * Compares the program with the naive reference, candle by candle: identical
 * nulls, and numbers within 1e-9 relative. Price-valued outputs that cross or
 * sit at zero (macd, hist) are measured against the price level, rsi against 1,
 * and volatility as a variance against the mean square of its returns (when the
 * returns are nearly equal the deviation is far below their rounding).
 */
function crossCheck(
  specs: readonly IndicatorSpec[],
  candles: readonly Candle[],
  level: number,
): string | null {
  const rows = runProgram(specs, candles);
  const ref = referenceOutputs(specs, candles);
  const closes = candles.map((c) => c.close);
  for (const spec of specs) {
    const vol = spec.kind === 'volatility';
    const scale = vol ? refReturnMeanSquare(closes, spec.period) : null;
    for (const name of indicatorOutputNames(spec)) {
      const series = ref.get(name)!;
      const floor = name.startsWith('rsi') ? 1 : level;
      for (let i = 0; i < candles.length; i++) {
        const a = rows[i]![name];
        const e = series[i];
        if (a === undefined) return `${name} missing at ${i}`;
        if (e === null || a === null) {
          if (a !== e) return `${name}[${i}]: ${a} but the reference says ${e}`;
          continue;
        }
        const ok = vol
          ? Math.abs(a * a - e! * e!) <= 1e-9 * Math.max(e! * e!, scale![i]!)
          : Math.abs(a - e!) <= 1e-9 * Math.max(Math.abs(e!), floor);
        if (!ok) return `${name}[${i}]: ${a} but the reference says ${e}`;
      }
    }
  }
  return null;
}

t.test('the default program: output names and a state of 47 doubles', async (t) => {
  const p = new IndicatorProgram(DEFAULT_INDICATORS);
  t.same(p.outputNames, [
    'sma20',
    'ema20',
    'rsi14',
    'macd',
    'macdSignal',
    'macdHist',
    'bbUpper',
    'bbMiddle',
    'bbLower',
    'atr14',
    'vwap',
    'vol20',
  ]);
  // header 4 + close ring 22 (vol20 reads 22 closes) + sma/bb moments 5 + ema 1 + rsi 2 + macd 3 + atr 1 + vwap 4
  // + vol moments 5
  t.equal(p.stateSize, 47);
  t.equal(p.newState().length, 47);
});

t.test('one close ring and one window serve sma and bollinger of the same period', async (t) => {
  const shared = new IndicatorProgram([
    { kind: 'sma', period: 20 },
    { kind: 'bollinger', period: 20, stddev: 2 },
  ]);
  t.equal(shared.stateSize, 4 + 21 + 5);
  const two = new IndicatorProgram([
    { kind: 'sma', period: 20 },
    { kind: 'bollinger', period: 10, stddev: 2 },
  ]);
  t.equal(two.stateSize, 4 + 21 + 5 + 5);
});

t.test('a single candle: everything in warm-up but vwap', async (t) => {
  const rows = runProgram(DEFAULT_INDICATORS, [candle({ close: 10, volume: 2, notional: 21 })]);
  t.same(rows[0], {
    sma20: null,
    ema20: null,
    rsi14: null,
    macd: null,
    macdSignal: null,
    macdHist: null,
    bbUpper: null,
    bbMiddle: null,
    bbLower: null,
    atr14: null,
    vwap: 10.5,
    vol20: null,
  });
});

t.test('warm-up ends exactly on the defined candle for each default indicator', async (t) => {
  const closes: number[] = [];
  for (let i = 0; i < 40; i++) closes.push(100 + ((i * 7) % 11));
  const rows = runProgram(DEFAULT_INDICATORS, closeSeries(closes));
  const firstDefined = (name: string) => rows.findIndex((r) => r[name] !== null) + 1;
  t.equal(firstDefined('sma20'), 20);
  t.equal(firstDefined('ema20'), 20);
  t.equal(firstDefined('bbUpper'), 20);
  t.equal(firstDefined('rsi14'), 15);
  t.equal(firstDefined('atr14'), 14);
  t.equal(firstDefined('vol20'), 21);
  t.equal(firstDefined('macd'), 34);
  t.equal(firstDefined('vwap'), 1);
});

t.test('a flat series: exact values everywhere once warmed up', async (t) => {
  const rows = runProgram(DEFAULT_INDICATORS, closeSeries(new Array(40).fill(0.1)));
  t.same(rows[39], {
    sma20: 0.1,
    ema20: rows[39]!['ema20'],
    rsi14: 50,
    macd: rows[39]!['macd'],
    macdSignal: rows[39]!['macdSignal'],
    macdHist: rows[39]!['macdHist'],
    bbUpper: 0.1,
    bbMiddle: 0.1,
    bbLower: 0.1,
    atr14: 0,
    vwap: rows[39]!['vwap'],
    vol20: 0,
  });
  // VWAP is a ratio of sums and the EMA seed a sum of 20 x 0.1 divided by 20: exact only to rounding.
  t.ok(Math.abs(rows[39]!['vwap']! - 0.1) < 1e-16);
  t.ok(Math.abs(rows[39]!['ema20']! - 0.1) < 1e-16);
  t.ok(Math.abs(rows[39]!['macd']!) < 1e-16);
  t.ok(Math.abs(rows[39]!['macdHist']!) < 1e-16);
});

t.test('zero prices and zero volume: defined values, no NaN', async (t) => {
  const cs: Candle[] = [];
  for (let i = 0; i < 40; i++) cs.push(candle({ close: 0, volume: i % 2, start: i * MINUTE }));
  const rows = runProgram(DEFAULT_INDICATORS, cs);
  t.same(rows[39], {
    sma20: 0,
    ema20: 0,
    rsi14: 50,
    macd: 0,
    macdSignal: 0,
    macdHist: 0,
    bbUpper: 0,
    bbMiddle: 0,
    bbLower: 0,
    atr14: 0,
    vwap: 0,
    vol20: 0,
  });
});

t.test('peek gives push-then-read on a copy and leaves the state alone', async (t) => {
  const p = new IndicatorProgram(ALL);
  const state = p.newState();
  const candles = randomCandles(200, 11, 100);
  for (let i = 0; i < candles.length; i++) {
    const before = Float64Array.from(state);
    const peeked: Record<string, number | null> = {};
    p.peek(state, candles[i]!, peeked);
    t.same(Array.from(state), Array.from(before), `state untouched at ${i}`);
    const other = p.newState();
    p.copy(other, state);
    p.push(other, candles[i]!);
    const pushed: Record<string, number | null> = {};
    p.read(other, pushed);
    if (i % 20 === 0 || i === candles.length - 1) t.same(peeked, pushed, `peek equals push at ${i}`);
    else if (JSON.stringify(peeked) !== JSON.stringify(pushed)) t.fail(`peek differs from push at ${i}`);
    p.push(state, candles[i]!);
  }
});

t.test('copy then push: bit-identical states and values to the original', async (t) => {
  const p = new IndicatorProgram(ALL);
  const candles = randomCandles(300, 5, 42);
  const a = p.newState();
  for (let i = 0; i < 150; i++) p.push(a, candles[i]!);
  const b = p.newState();
  p.copy(b, a);
  const fresh = p.newState();
  for (let i = 150; i < 300; i++) {
    p.push(a, candles[i]!);
    p.push(b, candles[i]!);
  }
  for (let i = 0; i < 300; i++) p.push(fresh, candles[i]!);
  t.same(bits(b), bits(a), 'copy and original agree bit for bit');
  t.same(bits(fresh), bits(a), 'same candles from scratch agree bit for bit');
  const va: Record<string, number | null> = {};
  const vb: Record<string, number | null> = {};
  p.read(a, va);
  p.read(b, vb);
  t.same(vb, va);
});

t.test('a revision replayed over the committed state matches pushing the revised candles', async (t) => {
  const p = new IndicatorProgram(DEFAULT_INDICATORS);
  const candles = randomCandles(60, 9, 250);
  const committed = p.newState();
  for (let i = 0; i < 55; i++) p.push(committed, candles[i]!);
  const revised = { ...candles[57]!, close: candles[57]!.close * 1.01, revision: 1 };
  const scratch = p.newState();
  p.copy(scratch, committed);
  for (const c of [candles[55]!, candles[56]!, revised]) p.push(scratch, c);
  const direct = p.newState();
  for (const c of [...candles.slice(0, 57), revised]) p.push(direct, c);
  t.same(bits(scratch), bits(direct));
});

t.test('long random series agree with the naive reference within 1e-9', async (t) => {
  for (const [seed, level] of [
    [1, 100],
    [2, 1e-4],
    [3, 50_000],
  ] as const) {
    t.equal(
      crossCheck(ALL, randomCandles(20_000, seed, level), level),
      null,
      `seed ${seed}, prices near ${level}`,
    );
  }
});

t.test('property: any candles, any periods agree with the naive reference', async (t) => {
  const step = fc.record({
    move: fc.integer({ min: -3, max: 3 }),
    zero: fc.boolean(),
    spread: fc.integer({ min: 0, max: 5 }),
    volume: fc.integer({ min: 0, max: 4 }),
    gap: fc.constantFrom(1, 1, 1, 7, 60 * 24),
  });
  const periods = fc.record({
    a: fc.integer({ min: 1, max: 12 }),
    b: fc.integer({ min: 2, max: 12 }),
    c: fc.integer({ min: 1, max: 5 }),
  });
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), periods, (steps, { a, b, c }) => {
      const candles: Candle[] = [];
      let price = 100;
      let start = 0;
      for (const s of steps) {
        price *= 1.01 ** s.move;
        const close = s.zero && s.move === 0 ? 0 : price;
        const low = close * (1 - s.spread / 100);
        const high = close * (1 + s.spread / 100);
        candles.push(
          candle({ close, high, low, volume: s.volume, notional: s.volume * (low + high) * 0.5, start }),
        );
        start += s.gap * MINUTE;
      }
      const specs: IndicatorSpec[] = [
        { kind: 'sma', period: a },
        { kind: 'ema', period: a },
        { kind: 'rsi', period: a },
        { kind: 'atr', period: a },
        { kind: 'volatility', period: b },
        { kind: 'bollinger', period: a, stddev: 2 },
        { kind: 'macd', fast: a, slow: a + b, signal: c },
        { kind: 'vwap' },
      ];
      const problem = crossCheck(specs, candles, 100);
      if (problem !== null) throw new Error(problem);
    }),
    { numRuns: 300, seed: 20_240_601 },
  );
  t.pass('300 random series agreed');
});

t.test('a candle series spanning days keeps one session per UTC day', async (t) => {
  const cs = [
    candle({ close: 1, volume: 1, start: DAY - MINUTE }),
    candle({ close: 3, volume: 1, start: DAY }),
    candle({ close: 5, volume: 1, start: DAY + MINUTE }),
  ];
  t.same(
    runProgram([{ kind: 'vwap' }], cs).map((r) => r['vwap']),
    [1, 3, 4],
  );
});

t.test('an empty program has only the close history and writes nothing', async (t) => {
  const p = new IndicatorProgram([]);
  t.equal(p.stateSize, 4);
  t.same(p.outputNames, []);
  const s = p.newState();
  p.push(s, candle({ close: 1 }));
  const out: Record<string, number | null> = {};
  p.read(s, out);
  p.peek(s, candle({ close: 2 }), out);
  t.same(out, {});
});

t.test('bad specs and foreign states are refused with stable codes', async (t) => {
  t.throws(() => new IndicatorProgram([{ kind: 'sma', period: 0 }]), {
    code: 'TF_ERR_BAD_INDICATOR_SPEC',
    problems: ['indicators[0] (sma:0): period must be an integer from 1 to 10000, got 0'],
    message: 'invalid indicators: indicators[0] (sma:0): period must be an integer from 1 to 10000, got 0',
  });
  const p = new IndicatorProgram(DEFAULT_INDICATORS);
  const foreign = new Array<number>(46).fill(0);
  const code = { code: 'TF_ERR_INDICATOR_STATE' };
  t.throws(() => p.push(foreign, candle({ close: 1 })), code);
  t.throws(() => p.read(foreign, {}), code);
  t.throws(() => p.peek(foreign, candle({ close: 1 }), {}), code);
  t.throws(() => p.copy(p.newState(), foreign), code);
  t.throws(() => p.copy(foreign, p.newState()), {
    code: 'TF_ERR_INDICATOR_STATE',
    message:
      'indicator state has 46 doubles but this program needs 47; was it made by a program with other indicators?',
  });
});

/** The bytes of a state's doubles, so comparisons are bit for bit (NaN payloads, -0). */
function bits(s: readonly number[]): Uint8Array {
  return new Uint8Array(Float64Array.from(s).buffer);
}

t.test(
  'states at an offset in a shared array: same bits as whole states, neighbours untouched',
  async (t) => {
    const p = new IndicatorProgram(ALL);
    const n = p.stateSize;
    const candles = randomCandles(120, 3, 77);
    const shared = p.newStates(3);
    t.equal(shared.length, 3 * n);
    const alone = p.newState();
    for (const c of candles) {
      p.pushAt(shared, n, c);
      p.push(alone, c);
    }
    t.same(bits(shared.slice(n, 2 * n)), bits(alone), 'middle state equals a whole state');
    t.same(shared.slice(0, n), new Array<number>(n).fill(0), 'state before untouched');
    t.same(shared.slice(2 * n), new Array<number>(n).fill(0), 'state after untouched');
    const a: Record<string, number | null> = {};
    const b: Record<string, number | null> = {};
    p.readAt(shared, n, a);
    p.read(alone, b);
    t.same(a, b);
    p.copyAt(shared, 2 * n, shared, n);
    const live = candles[0]!;
    const pa: Record<string, number | null> = {};
    const pb: Record<string, number | null> = {};
    p.peekAt(shared, 2 * n, live, pa);
    p.peek(alone, live, pb);
    t.same(pa, pb, 'peek at an offset equals peek on a whole state');
    t.same(bits(shared.slice(2 * n)), bits(alone), 'copyAt copied, peekAt left it alone');
    const code = { code: 'TF_ERR_INDICATOR_STATE' };
    t.throws(() => p.pushAt(shared, 2 * n + 1, live), code, 'a state running past the end');
    t.throws(() => p.readAt(shared, -1, {}), code, 'a negative offset');
  },
);

t.test('valuesAt: the values read gives, same keys in output order, bit for bit', async (t) => {
  // Several outputs of one kind and custom names: each output's values land
  // at its own place in the object valuesAt builds.
  const specs: IndicatorSpec[] = [
    ...ALL,
    { kind: 'ema', period: 3, name: 'fast' },
    { kind: 'bollinger', period: 4, stddev: 1, name: 'band' },
  ];
  const p = new IndicatorProgram(specs);
  const alone = specs.map((spec) => new IndicatorProgram([spec]));
  const state = p.newState();
  const states = alone.map((q) => q.newState());
  const n = p.stateSize;
  const shared = p.newStates(2);
  const bitsOf = (v: Record<string, number | null>) =>
    Object.entries(v).map(([k, x]) => [k, x === null ? null : Array.from(bits([x]))]);
  for (const c of randomCandles(80, 5, 31)) {
    p.push(state, c);
    p.pushAt(shared, n, c);
    const read: Record<string, number | null> = {};
    p.read(state, read);
    const values = p.valuesAt(state, 0);
    t.same(Object.keys(values), p.outputNames, 'every output name, in order');
    t.same(bitsOf(values), bitsOf(read), 'same values as read');
    t.same(bitsOf(p.valuesAt(shared, n)), bitsOf(values), 'a state at an offset');
    const single: Record<string, number | null> = {};
    for (let j = 0; j < specs.length; j++) {
      alone[j]!.push(states[j]!, c);
      Object.assign(single, alone[j]!.valuesAt(states[j]!, 0));
    }
    t.same(bitsOf(values), bitsOf(single), 'each output as in a program of its own');
    if (t.passing() === false) break;
  }
  t.throws(() => p.valuesAt(shared, n + 1), { code: 'TF_ERR_INDICATOR_STATE' });
});
