import fc from 'fast-check';
import t from 'tap';
import { backoffDelay } from '../../../engine/sink/index.js';

t.test('windows double from min up to max; jitter draws the upper half', async (t) => {
  const low = () => 0;
  const high = () => 0.999999;
  t.same(
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, 100, 5000, low)),
    [50, 100, 200, 400, 800, 1600, 2500, 2500],
  );
  t.same(
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, 100, 5000, high)),
    [100, 200, 400, 800, 1600, 3200, 5000, 5000],
  );
  t.equal(
    backoffDelay(3, 100, 5000, () => 0.5),
    300,
  );
  t.equal(backoffDelay(1000, 100, 5000, low), 2500, 'huge attempt numbers stay capped');
});

t.test('property: a delay lies in [window/2, window] and never exceeds max', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 200 }),
      fc.integer({ min: 1, max: 10_000 }),
      fc.integer({ min: 0, max: 100_000 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (attempt, min, extra, r) => {
        const max = min + extra;
        const d = backoffDelay(attempt, min, max, () => r);
        const window = Math.min(max, min * 2 ** Math.min(attempt - 1, 30));
        return d >= Math.floor(window / 2) && d <= window && d <= max;
      },
    ),
  );
  t.pass('property held');
});
