import t from 'tap';
import { candle, DAY } from './candle-factory.js';
import { column, runProgram } from './program-run.js';

const HOUR = 3_600_000;

t.test('session vwap resets at the UTC day boundary of the candle start', async (t) => {
  const d = 20_000 * DAY;
  const rows = runProgram(
    [{ kind: 'vwap' }],
    [
      candle({ start: d + 22 * HOUR, close: 101, volume: 2, notional: 200 }), // 200/2 = 100
      candle({ start: d + 23 * HOUR, close: 111, volume: 3, notional: 330 }), // (200+330)/(2+3) = 106
      candle({ start: d + DAY, close: 119, volume: 1, notional: 120 }), // new day: 120/1
      candle({ start: d + DAY + HOUR, close: 125, volume: 0, notional: 0 }), // no volume: stays 120
      candle({ start: d + DAY + 2 * HOUR, close: 124, volume: 3, notional: 360 }), // (120+360)/4 = 120
      candle({ start: d + DAY + 3 * HOUR, close: 140, volume: 4, notional: 560 }), // (480+560)/8 = 130
    ],
  );
  t.same(column(rows, 'vwap'), [100, 106, 120, 120, 120, 130]);
});

t.test(
  'a session that starts without volume takes the close, then keeps it until volume arrives',
  async (t) => {
    const d = 3 * DAY;
    const rows = runProgram(
      [{ kind: 'vwap', name: 'sessionVwap' }],
      [
        candle({ start: d - HOUR, close: 90, volume: 1, notional: 90 }),
        candle({ start: d, close: 130, volume: 0, notional: 0 }), // new day, no volume: the close
        candle({ start: d + HOUR, close: 131, volume: 0, notional: 0 }), // still none: previous value
        candle({ start: d + 2 * HOUR, close: 133, volume: 2, notional: 264 }), // 264/2
        candle({ start: d + 9 * DAY, close: 7, volume: 0, notional: 0 }), // days later: the close
      ],
    );
    t.same(column(rows, 'sessionVwap'), [90, 130, 130, 132, 7]);
  },
);

t.test('defined from a single candle; zero prices give 0', async (t) => {
  t.same(runProgram([{ kind: 'vwap' }], [candle({ close: 5, volume: 2, notional: 9 })]), [{ vwap: 4.5 }]);
  t.same(runProgram([{ kind: 'vwap' }], [candle({ close: 0, volume: 2 })]), [{ vwap: 0 }]);
});
