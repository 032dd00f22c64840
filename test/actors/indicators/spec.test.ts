import t from 'tap';
import type { IndicatorSpec } from '../../../actors/indicators/index.js';
import {
  DEFAULT_INDICATORS,
  formatIndicatorSpec,
  indicatorOutputNames,
  parseIndicatorSpec,
  validateIndicatorSpecs,
} from '../../../actors/indicators/index.js';

t.test('parses the CLI/config forms', async (t) => {
  t.same(parseIndicatorSpec('sma:20'), { kind: 'sma', period: 20 });
  t.same(parseIndicatorSpec(' EMA : 50 '), { kind: 'ema', period: 50 });
  t.same(parseIndicatorSpec('rsi:14'), { kind: 'rsi', period: 14 });
  t.same(parseIndicatorSpec('atr:14'), { kind: 'atr', period: 14 });
  t.same(parseIndicatorSpec('volatility:20'), { kind: 'volatility', period: 20 });
  t.same(parseIndicatorSpec('vol:30'), { kind: 'volatility', period: 30 });
  t.same(parseIndicatorSpec('macd:12,26,9'), { kind: 'macd', fast: 12, slow: 26, signal: 9 });
  t.same(parseIndicatorSpec('macd'), { kind: 'macd', fast: 12, slow: 26, signal: 9 });
  t.same(parseIndicatorSpec('bollinger:20,2'), { kind: 'bollinger', period: 20, stddev: 2 });
  t.same(parseIndicatorSpec('bb:10'), { kind: 'bollinger', period: 10, stddev: 2 });
  t.same(parseIndicatorSpec('bollinger'), { kind: 'bollinger', period: 20, stddev: 2 });
  t.same(parseIndicatorSpec('vwap'), { kind: 'vwap' });
  t.same(parseIndicatorSpec('fast=ema:12'), { kind: 'ema', period: 12, name: 'fast' });
});

t.test('format is the inverse of parse', async (t) => {
  const specs: IndicatorSpec[] = [
    ...DEFAULT_INDICATORS,
    { kind: 'bollinger', period: 10, stddev: 1.5, name: 'band' },
    { kind: 'macd', fast: 5, slow: 35, signal: 5 },
  ];
  for (const spec of specs)
    t.same(parseIndicatorSpec(formatIndicatorSpec(spec)), spec, formatIndicatorSpec(spec));
  t.equal(formatIndicatorSpec({ kind: 'macd', fast: 5, slow: 35, signal: 5 }), 'macd:5,35,5');
});

t.test('rejects bad text with a sentence naming it', async (t) => {
  t.same(parseIndicatorSpec('smma:20'), {
    error:
      "indicator 'smma:20': unknown kind 'smma', accepted: sma, ema, rsi, macd, bollinger, atr, vwap, volatility",
  });
  t.same(parseIndicatorSpec('sma'), { error: "indicator 'sma': sma takes 1 parameter, e.g. 'sma:20'" });
  t.same(parseIndicatorSpec('sma:x'), { error: "indicator 'sma:x': parameter 'x' is not a number" });
  t.same(parseIndicatorSpec('sma:'), { error: "indicator 'sma:': parameter '' is not a number" });
  t.same(parseIndicatorSpec('macd:12,26'), {
    error: "indicator 'macd:12,26': macd takes 3 parameters, e.g. 'macd:12,26,9'",
  });
  t.same(parseIndicatorSpec('bollinger:20,2,1'), {
    error: "indicator 'bollinger:20,2,1': bollinger takes 0 to 2 parameters, e.g. 'bollinger:20,2'",
  });
  t.same(parseIndicatorSpec('vwap:5'), { error: "indicator 'vwap:5': vwap takes 0 parameters, e.g. 'vwap'" });
  t.same(parseIndicatorSpec('sma:0'), {
    error: "indicator 'sma:0': period must be an integer from 1 to 10000, got 0",
  });
  t.same(parseIndicatorSpec('ema:2.5'), {
    error: "indicator 'ema:2.5': period must be an integer from 1 to 10000, got 2.5",
  });
  t.same(parseIndicatorSpec('vol:1'), {
    error: "indicator 'vol:1': period must be an integer from 2 to 10000, got 1",
  });
  t.same(parseIndicatorSpec('macd:26,12,9'), {
    error: "indicator 'macd:26,12,9': fast must be smaller than slow, got fast 26 and slow 12",
  });
  t.same(parseIndicatorSpec('bb:20,0'), {
    error: "indicator 'bb:20,0': stddev must be a number from 0.01 to 100, got 0",
  });
  t.same(parseIndicatorSpec('9x=sma:5'), {
    error:
      "indicator '9x=sma:5': name must be a letter followed by up to 47 letters, digits or '_', got '9x'",
  });
});

t.test('validates lists, naming the index and the spec', async (t) => {
  t.same(validateIndicatorSpecs(DEFAULT_INDICATORS), []);
  t.same(validateIndicatorSpecs([]), []);
  const bad = [
    { kind: 'sma', period: 20 },
    { kind: 'sma', period: 20 },
    { kind: 'ema', period: 20, name: 'sma20' },
    { kind: 'wma', period: 3 },
    { kind: 'rsi', period: 20_000 },
    { kind: 'macd', fast: 0, slow: 26, signal: '9' },
    { kind: 'bollinger', period: 20, stddev: Number.NaN },
    null,
  ] as unknown as IndicatorSpec[];
  t.same(validateIndicatorSpecs(bad), [
    "indicators[1] (sma:20): output name 'sma20' is also produced by indicators[0]; give one a 'name'",
    "indicators[2] (sma20=ema:20): output name 'sma20' is also produced by indicators[0]; give one a 'name'",
    "indicators[3] (wma:3): kind must be one of sma, ema, rsi, macd, bollinger, atr, vwap, volatility, got 'wma'",
    'indicators[4] (rsi:20000): period must be an integer from 1 to 10000, got 20000',
    'indicators[5] (macd:0,26,9): fast must be an integer from 1 to 10000, got 0',
    "indicators[5] (macd:0,26,9): signal must be an integer from 1 to 10000, got '9'",
    'indicators[6] (bollinger:20,NaN): stddev must be a number from 0.01 to 100, got NaN',
    "indicators[7] must be an object with a 'kind', got null",
  ]);
  t.same(validateIndicatorSpecs('sma:20' as unknown as IndicatorSpec[]), [
    'indicators must be a list of indicator specs',
  ]);
});

t.test('output names for defaults, other parameters and overrides', async (t) => {
  const names: string[] = [];
  for (const spec of DEFAULT_INDICATORS) names.push(...indicatorOutputNames(spec));
  t.same(names, [
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
  t.same(indicatorOutputNames({ kind: 'sma', period: 50 }), ['sma50']);
  t.same(indicatorOutputNames({ kind: 'volatility', period: 60 }), ['vol60']);
  t.same(indicatorOutputNames({ kind: 'macd', fast: 5, slow: 35, signal: 5 }), [
    'macd_5_35_5',
    'macd_5_35_5Signal',
    'macd_5_35_5Hist',
  ]);
  t.same(indicatorOutputNames({ kind: 'bollinger', period: 10, stddev: 1.5 }), [
    'bb_10_1p5Upper',
    'bb_10_1p5Middle',
    'bb_10_1p5Lower',
  ]);
  t.same(indicatorOutputNames({ kind: 'bollinger', period: 20, stddev: 3 }), [
    'bb_20_3Upper',
    'bb_20_3Middle',
    'bb_20_3Lower',
  ]);
  t.same(indicatorOutputNames({ kind: 'macd', fast: 12, slow: 26, signal: 9, name: 'm' }), [
    'm',
    'mSignal',
    'mHist',
  ]);
  t.same(indicatorOutputNames({ kind: 'rsi', period: 14, name: 'strength' }), ['strength']);
  t.same(indicatorOutputNames({ kind: 'vwap', name: 'dayVwap' }), ['dayVwap']);
});

t.test('DEFAULT_INDICATORS cannot be changed by a caller', async (t) => {
  t.ok(Object.isFrozen(DEFAULT_INDICATORS));
  t.ok(Object.isFrozen(DEFAULT_INDICATORS[0]));
});
