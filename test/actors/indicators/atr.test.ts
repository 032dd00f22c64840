import t from 'tap';
import { candle, MINUTE } from './candle-factory.js';
import { assertSeries, column, runProgram } from './program-run.js';

t.test('atr(3) across a gap uses the previous existing candle', async (t) => {
  const candles = [
    candle({ start: 0, high: 10, low: 8, close: 9 }), // first TR = high - low = 2
    candle({ start: MINUTE, high: 11, low: 9, close: 10.5 }), // max(2, |11-9|, |9-9|) = 2
    // five empty minutes, then: max(2, |14-10.5|, |12-10.5|) = 3.5
    candle({ start: 7 * MINUTE, high: 14, low: 12, close: 13 }),
    candle({ start: 8 * MINUTE, high: 13.5, low: 12.5, close: 12.8 }), // max(1, 0.5, 0.5) = 1
    candle({ start: 9 * MINUTE, high: 12, low: 11, close: 11.5 }), // max(1, 0.8, 1.8) = 1.8
  ];
  const rows = runProgram([{ kind: 'atr', period: 3 }], candles);
  const a3 = (2 + 2 + 3.5) / 3; // 2.5
  const a4 = (a3 * 2 + 1) / 3; // 2
  const a5 = (a4 * 2 + 1.8) / 3; // 5.8/3
  t.same(column(rows, 'atr3').slice(0, 4), [null, null, 2.5, 2]);
  assertSeries(t, column(rows, 'atr3'), [null, null, a3, a4, a5]);
  assertSeries(t, [a5], [5.8 / 3]);
});

t.test('a single candle: atr(1) is its range', async (t) => {
  const rows = runProgram([{ kind: 'atr', period: 1 }], [candle({ high: 5, low: 2, close: 3 })]);
  t.same(rows, [{ atr1: 3 }]);
});

t.test('flat candles give 0, and a gap down counts from the previous close', async (t) => {
  const flat = [
    candle({ close: 4 }),
    candle({ close: 4, start: MINUTE }),
    candle({ close: 4, start: 2 * MINUTE }),
  ];
  t.same(column(runProgram([{ kind: 'atr', period: 2 }], flat), 'atr2'), [null, 0, 0]);
  const down = [candle({ close: 4 }), candle({ close: 0, high: 1, low: 0, start: 5 * MINUTE })];
  // TR = max(1, |1-4|, |0-4|) = 4; atr(2) = (0 + 4) / 2
  t.same(column(runProgram([{ kind: 'atr', period: 2 }], down), 'atr2'), [null, 2]);
});
