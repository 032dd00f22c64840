import t from 'tap';
import { closeSeries } from './candle-factory.js';
import { assertSeries, column, runProgram } from './program-run.js';

const E = Math.E;

t.test('volatility(3): sample stddev of the last three log returns', async (t) => {
  // returns: ln(e/1) = 1, ln(e/e) = 0, ln(1/e) = -1, ln(e^2/1) = 2
  const rows = runProgram([{ kind: 'volatility', period: 3 }], closeSeries([1, E, E, 1, E * E]));
  // [1, 0, -1]: mean 0, (1 + 0 + 1) / (3 - 1) = 1
  // [0, -1, 2]: mean 1/3, deviations -1/3, -4/3, 5/3 -> (1 + 16 + 25)/9/2 = 7/3
  assertSeries(t, column(rows, 'vol3'), [null, null, null, 1, Math.sqrt(7 / 3)], 1e-12);
});

t.test('a non-positive close makes its returns 0', async (t) => {
  const rows = runProgram([{ kind: 'volatility', period: 3 }], closeSeries([1, E, E, 1, E * E, 0, 5]));
  // [.., -1, 2, 0] (into 0): mean 1/3, squares (16 + 25 + 1)/9 -> 7/3 again
  // [2, 0, 0] (out of 0): mean 2/3, deviations 4/3, -2/3, -2/3 -> (16 + 4 + 4)/9/2 = 4/3
  assertSeries(t, column(rows, 'vol3').slice(5), [Math.sqrt(7 / 3), Math.sqrt(4 / 3)], 1e-12);
});

t.test('null until n returns, i.e. n + 1 candles', async (t) => {
  const rows = runProgram([{ kind: 'volatility', period: 2 }], closeSeries([1, 2]));
  t.same(column(rows, 'vol2'), [null, null]);
});

t.test('a flat series is exactly 0, also after moving prices', async (t) => {
  t.same(column(runProgram([{ kind: 'volatility', period: 2 }], closeSeries([3, 3, 3, 3])), 'vol2'), [
    null,
    null,
    0,
    0,
  ]);
  const closes = [1.3, 7.1, 0.2, 55, 3.3, 3.3, 3.3, 3.3];
  const rows = runProgram([{ kind: 'volatility', period: 3 }], closeSeries(closes));
  t.equal(rows[7]!['vol3'], 0);
  t.ok(rows[6]!['vol3']! > 0, 'one moving return left in the window');
});

t.test('all-zero closes give 0', async (t) => {
  t.same(column(runProgram([{ kind: 'volatility', period: 2 }], closeSeries([0, 0, 0])), 'vol2'), [
    null,
    null,
    0,
  ]);
});
