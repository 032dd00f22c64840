import t from 'tap';
import { closeSeries } from './candle-factory.js';
import { assertSeries, column, runProgram } from './program-run.js';

t.test('rsi(3): Wilder averages seeded by simple means, first value after four closes', async (t) => {
  // changes: +1, -2, +3, +1, -2
  const rows = runProgram([{ kind: 'rsi', period: 3 }], closeSeries([44, 45, 43, 46, 47, 45]));
  const g3 = (1 + 0 + 3) / 3; // 4/3
  const l3 = (0 + 2 + 0) / 3; // 2/3
  const g4 = (g3 * 2 + 1) / 3; // 11/9
  const l4 = (l3 * 2 + 0) / 3; // 4/9
  const g5 = (g4 * 2 + 0) / 3; // 22/27
  const l5 = (l4 * 2 + 2) / 3; // 26/27
  assertSeries(t, column(rows, 'rsi3'), [
    null,
    null,
    null,
    (100 * g3) / (g3 + l3), // 66.67
    (100 * g4) / (g4 + l4), // 73.33
    (100 * g5) / (g5 + l5), // 45.83
  ]);
  assertSeries(t, column(rows, 'rsi3').slice(3), [200 / 3, 220 / 3, 2200 / 48]);
});

t.test('only gains give 100, only losses give 0', async (t) => {
  t.same(column(runProgram([{ kind: 'rsi', period: 2 }], closeSeries([1, 2, 4, 7])), 'rsi2'), [
    null,
    null,
    100,
    100,
  ]);
  t.same(column(runProgram([{ kind: 'rsi', period: 2 }], closeSeries([9, 5, 4, 0])), 'rsi2'), [
    null,
    null,
    0,
    0,
  ]);
});

t.test('a flat series gives 50 (our choice; TA-Lib gives 0)', async (t) => {
  t.same(column(runProgram([{ kind: 'rsi', period: 2 }], closeSeries([3, 3, 3, 3])), 'rsi2'), [
    null,
    null,
    50,
    50,
  ]);
  t.same(column(runProgram([{ kind: 'rsi', period: 2 }], closeSeries([0, 0, 0])), 'rsi2'), [null, null, 50]);
});

t.test('tiny prices are not mistaken for a flat series (TA-Lib would say 0 below 1e-8)', async (t) => {
  const rows = runProgram([{ kind: 'rsi', period: 2 }], closeSeries([1e-9, 2e-9, 1.5e-9]));
  // gains 1e-9, 0; losses 0, 0.5e-9 -> 100 * 0.5e-9 / 0.75e-9
  assertSeries(t, column(rows, 'rsi2'), [null, null, (100 * 2) / 3], 1e-9);
});

t.test('after a flat stretch a gain moves it off 50', async (t) => {
  const rows = runProgram([{ kind: 'rsi', period: 2 }], closeSeries([3, 3, 3, 5]));
  // averages 0/0 at the seed; then gain (0*1 + 2)/2 = 1, loss 0 -> 100
  t.same(column(rows, 'rsi2'), [null, null, 50, 100]);
});
