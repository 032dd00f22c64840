import t from 'tap';
import { closeSeries } from './candle-factory.js';
import { assertSeries, column, runProgram } from './program-run.js';

t.test('macd(2,3,2) worked by hand with TA-Lib alignment of the fast EMA', async (t) => {
  const rows = runProgram([{ kind: 'macd', fast: 2, slow: 3, signal: 2 }], closeSeries([1, 2, 4, 8, 16, 32]));
  // slow EMA(3), k = 1/2, seeded at candle 3 with (1+2+4)/3
  const s3 = 7 / 3;
  const s4 = (8 - s3) / 2 + s3; // 31/6
  const s5 = (16 - s4) / 2 + s4; // 127/12
  const s6 = (32 - s5) / 2 + s5; // 511/24
  // fast EMA(2), k = 2/3, seeded at candle 3 (with the slow one) by the mean of closes 2..3: (2+4)/2
  const f3 = 3;
  const f4 = ((8 - f3) * 2) / 3 + f3; // 19/3
  const f5 = ((16 - f4) * 2) / 3 + f4; // 115/9
  const f6 = ((32 - f5) * 2) / 3 + f5; // 691/27
  const m3 = f3 - s3; // 2/3
  const m4 = f4 - s4; // 7/6
  const m5 = f5 - s5; // 79/36
  const m6 = f6 - s6; // 929/216
  // signal EMA(2) of macd, k = 2/3, seeded by the mean of the first two macd values
  const g4 = (m3 + m4) / 2; // 11/12
  const g5 = ((m5 - g4) * 2) / 3 + g4; // 191/108
  const g6 = ((m6 - g5) * 2) / 3 + g5; // 280/81
  assertSeries(t, column(rows, 'macd_2_3_2'), [null, null, null, m4, m5, m6]);
  assertSeries(t, column(rows, 'macd_2_3_2Signal'), [null, null, null, g4, g5, g6]);
  assertSeries(t, column(rows, 'macd_2_3_2Hist'), [null, null, null, m4 - g4, m5 - g5, m6 - g6]);
  assertSeries(t, [m4, m5, m6, g4, g5, g6], [7 / 6, 79 / 36, 929 / 216, 11 / 12, 191 / 108, 280 / 81]);
  assertSeries(t, [m4 - g4], [1 / 4]);
});

t.test('macd, signal and hist are null until candle slow + signal - 1, like TA-Lib', async (t) => {
  const closes = [];
  for (let i = 0; i < 40; i++) closes.push(100 + Math.sin(i) * 5);
  const rows = runProgram([{ kind: 'macd', fast: 12, slow: 26, signal: 9 }], closeSeries(closes));
  t.equal(rows[32]!['macd'], null);
  t.equal(rows[32]!['macdSignal'], null);
  t.equal(rows[32]!['macdHist'], null);
  t.type(rows[33]!['macd'], 'number');
  t.type(rows[33]!['macdSignal'], 'number');
  t.type(rows[33]!['macdHist'], 'number');
});

t.test('a flat series gives macd 0 and hist 0', async (t) => {
  const rows = runProgram(
    [{ kind: 'macd', fast: 2, slow: 4, signal: 2, name: 'm' }],
    closeSeries([8, 8, 8, 8, 8, 8]),
  );
  t.same(column(rows, 'm'), [null, null, null, null, 0, 0]);
  t.same(column(rows, 'mSignal'), [null, null, null, null, 0, 0]);
  t.same(column(rows, 'mHist'), [null, null, null, null, 0, 0]);
});

t.test('zero prices give zeros', async (t) => {
  const rows = runProgram([{ kind: 'macd', fast: 1, slow: 2, signal: 1 }], closeSeries([0, 0, 0]));
  t.same(column(rows, 'macd_1_2_1'), [null, 0, 0]);
});
