import t from 'tap';
import { closeSeries } from './candle-factory.js';
import { assertSeries, column, runProgram } from './program-run.js';

t.test('ema(3): seeded with the sma of the first three closes, then k = 2/(3+1) = 0.5', async (t) => {
  const rows = runProgram([{ kind: 'ema', period: 3 }], closeSeries([10, 11, 12, 13, 15]));
  const seed = (10 + 11 + 12) / 3; // 11
  const e4 = (13 - seed) * 0.5 + seed; // 12
  const e5 = (15 - e4) * 0.5 + e4; // 13.5
  t.same(column(rows, 'ema3'), [null, null, seed, e4, e5]);
  t.same([seed, e4, e5], [11, 12, 13.5]);
});

t.test('ema(4) with k = 0.4 after the seed', async (t) => {
  const rows = runProgram([{ kind: 'ema', period: 4 }], closeSeries([2, 4, 6, 8, 3, 13]));
  // seed (2+4+6+8)/4 = 5; then 5 + 0.4*(3-5) = 4.2; then 4.2 + 0.4*(13-4.2) = 7.72
  assertSeries(t, column(rows, 'ema4'), [null, null, null, 5, 4.2, 7.72]);
});

t.test('flat and zero series stay at the price', async (t) => {
  t.same(column(runProgram([{ kind: 'ema', period: 2 }], closeSeries([0, 0, 0])), 'ema2'), [null, 0, 0]);
  t.same(column(runProgram([{ kind: 'ema', period: 2 }], closeSeries([5, 5, 5, 5])), 'ema2'), [
    null,
    5,
    5,
    5,
  ]);
});

t.test('ema(1) follows the close', async (t) => {
  t.same(column(runProgram([{ kind: 'ema', period: 1 }], closeSeries([3, 1, 4])), 'ema1'), [3, 1, 4]);
});
