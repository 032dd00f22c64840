import t from 'tap';
import { closeSeries, seededRandom } from './candle-factory.js';
import { assertSeries, column, runProgram } from './program-run.js';

t.test('bollinger(3,2) with population standard deviation', async (t) => {
  const rows = runProgram([{ kind: 'bollinger', period: 3, stddev: 2 }], closeSeries([1, 2, 3, 4, 10]));
  // [1,2,3] mean 2, var (1+0+1)/3; [2,3,4] mean 3, same var; [3,4,10] mean 17/3,
  // deviations -8/3, -5/3, 13/3 -> var (64+25+169)/9/3 = 86/9, sd = sqrt(86)/3
  const sd1 = Math.sqrt(2 / 3);
  const sd3 = Math.sqrt(86) / 3;
  assertSeries(t, column(rows, 'bb_3_2Middle'), [null, null, 2, 3, 17 / 3]);
  assertSeries(t, column(rows, 'bb_3_2Upper'), [null, null, 2 + 2 * sd1, 3 + 2 * sd1, 17 / 3 + 2 * sd3]);
  assertSeries(t, column(rows, 'bb_3_2Lower'), [null, null, 2 - 2 * sd1, 3 - 2 * sd1, 17 / 3 - 2 * sd3]);
});

t.test('a fractional multiplier names the outputs with p for the decimal point', async (t) => {
  const rows = runProgram([{ kind: 'bollinger', period: 2, stddev: 1.5 }], closeSeries([1, 3]));
  // mean 2, population sd 1
  t.same(rows[1], { bb_2_1p5Upper: 3.5, bb_2_1p5Middle: 2, bb_2_1p5Lower: 0.5 });
});

t.test('a flat window gives bands exactly equal to the middle, after any history', async (t) => {
  const rnd = seededRandom(7);
  const closes: number[] = [];
  for (let i = 0; i < 57; i++) closes.push(1000 * rnd() + 1e-3);
  for (let i = 0; i < 20; i++) closes.push(0.1);
  const rows = runProgram([{ kind: 'bollinger', period: 20, stddev: 2 }], closeSeries(closes));
  const last = rows[rows.length - 1]!;
  t.equal(last['bbMiddle'], 0.1);
  t.equal(last['bbUpper'], 0.1);
  t.equal(last['bbLower'], 0.1);
  const before = rows[rows.length - 2]!;
  t.ok(before['bbUpper']! > before['bbMiddle']!, 'one moving close in the window still widens the bands');
});

t.test('flat from the start and zero prices: bands on the middle, never NaN', async (t) => {
  const rows = runProgram(
    [{ kind: 'bollinger', period: 3, stddev: 2, name: 'b' }],
    closeSeries([0.3, 0.3, 0.3, 0, 0, 0]),
  );
  t.same(column(rows, 'bUpper').slice(0, 3), [null, null, 0.3]);
  t.same(column(rows, 'bLower').slice(0, 3), [null, null, 0.3]);
  // [0.3, 0.3, 0] mean 0.2, deviations 0.1, 0.1, -0.2 -> var 0.06/3; [0.3, 0, 0] mirrors it
  assertSeries(
    t,
    column(rows, 'bUpper').slice(3, 5),
    [0.2 + 2 * Math.sqrt(0.02), 0.1 + 2 * Math.sqrt(0.02)],
    1e-9,
  );
  t.same(rows[5], { bUpper: 0, bMiddle: 0, bLower: 0 });
});
