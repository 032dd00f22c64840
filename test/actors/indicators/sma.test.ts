import t from 'tap';
import { closeSeries } from './candle-factory.js';
import { assertSeries, column, runProgram } from './program-run.js';

t.test('sma(3) over five closes, null until the third', async (t) => {
  const rows = runProgram([{ kind: 'sma', period: 3 }], closeSeries([10, 11, 12, 13, 15]));
  assertSeries(t, column(rows, 'sma3'), [
    null,
    null,
    (10 + 11 + 12) / 3,
    (11 + 12 + 13) / 3,
    (12 + 13 + 15) / 3,
  ]);
});

t.test('sma(1) is the close itself from the first candle', async (t) => {
  const rows = runProgram([{ kind: 'sma', period: 1 }], closeSeries([5, 7, 0, 2]));
  t.same(column(rows, 'sma1'), [5, 7, 0, 2]);
});

t.test('a flat series gives exactly the price, even one that sums inexactly', async (t) => {
  // 0.1 + 0.1 + 0.1 is 0.30000000000000004: the run of equal closes pins the value.
  const rows = runProgram([{ kind: 'sma', period: 3 }], closeSeries([0.1, 0.1, 0.1, 0.1]));
  t.same(column(rows, 'sma3'), [null, null, 0.1, 0.1]);
});

t.test('a flat stretch after moving prices is exact too', async (t) => {
  const closes = [3.7, 1.1, 9.3, 2.2, 0.7, 0.7, 0.7];
  const rows = runProgram([{ kind: 'sma', period: 3 }], closeSeries(closes));
  t.equal(rows[6]!['sma3'], 0.7);
  assertSeries(t, column(rows, 'sma3').slice(2, 5), [
    (3.7 + 1.1 + 9.3) / 3,
    (1.1 + 9.3 + 2.2) / 3,
    (9.3 + 2.2 + 0.7) / 3,
  ]);
});

t.test('zero prices', async (t) => {
  const rows = runProgram([{ kind: 'sma', period: 2 }], closeSeries([0, 0, 4, 0]));
  t.same(column(rows, 'sma2'), [null, 0, 2, 2]);
});

t.test('a single candle leaves a longer sma in warm-up', async (t) => {
  const rows = runProgram([{ kind: 'sma', period: 2 }], closeSeries([42]));
  t.same(rows, [{ sma2: null }]);
});

t.test('rounding from huge earlier prices does not linger once the window has moved on', async (t) => {
  const closes: number[] = [];
  for (let i = 0; i < 10; i++) closes.push(1e12 + i * 1e11 + 0.3);
  closes.push(1, 2, 3, 4, 5, 6);
  const rows = runProgram(
    [
      { kind: 'sma', period: 3 },
      { kind: 'bollinger', period: 3, stddev: 1 },
    ],
    closeSeries(closes),
  );
  // Sliding alone would carry errors of about 1e12 * 2^-52 = 2e-4 into these windows.
  assertSeries(t, column(rows, 'sma3').slice(13), [(2 + 3 + 4) / 3, (3 + 4 + 5) / 3, (4 + 5 + 6) / 3], 1e-15);
  assertSeries(t, column(rows, 'bb_3_1Upper').slice(15), [5 + Math.sqrt(2 / 3)], 1e-15);
});
