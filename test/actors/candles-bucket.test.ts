import fc from 'fast-check';
import t from 'tap';
import { bucketStart, bucketStartBy } from '../../actors/candles/bucket.js';

t.test('buckets are floored multiples of the length', async (t) => {
  t.equal(bucketStart(1_700_000_123_456.25, 1000), 1_700_000_123_000);
  t.equal(bucketStart(1_700_000_123_456.25, 86_400_000), 1_699_920_000_000);
  t.equal(bucketStart(60_000, 60_000), 60_000);
  t.equal(bucketStart(59_999.999, 60_000), 0);
  t.equal(bucketStart(-1, 1000), -1000, 'before the epoch still floors');
});

t.test('start <= ts < start + len even where ts / len rounds across an integer', async (t) => {
  // Interval lengths are whole milliseconds, where this does not occur; a
  // fractional length shows the guard working in both directions.
  for (const ts of [1.7, 3.4, 3.9, 4.3, 8.1, 8.6]) {
    const s = bucketStart(ts, 0.1);
    t.ok(s <= ts && ts < s + 0.1, `${ts} in [${s}, ${s + 0.1})`);
  }
  t.equal(bucketStart(1.7, 0.1), Math.floor(1.7 / 0.1) * 0.1 - 0.1, 'corrected down');
  t.equal(bucketStart(4.3, 0.1), Math.floor(4.3 / 0.1) * 0.1 + 0.1, 'corrected up');
});

t.test('bucketStartBy (multiply by 1 / len) gives bucketStart exactly', async (t) => {
  t.equal(bucketStartBy(1_700_000_123_456.25, 1000, 1 / 1000), 1_700_000_123_000);
  t.equal(bucketStartBy(1_699_920_000_000, 86_400_000, 1 / 86_400_000), 1_699_920_000_000, 'on a boundary');
  t.equal(bucketStartBy(1_699_919_999_999.999, 86_400_000, 1 / 86_400_000), 1_699_833_600_000, 'just before');
  for (const len of [1000, 5000, 60_000, 300_000, 900_000, 3_600_000, 14_400_000, 86_400_000, 604_800_000]) {
    fc.assert(
      fc.property(
        fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }),
        fc.integer({ min: -2, max: 2 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (k, d, frac) => {
          // Boundaries (and a millisecond or a fraction either side) are where a rounded product could slip.
          const ts = Math.floor(k / len) * len + d + frac;
          return bucketStartBy(ts, len, 1 / len) === bucketStart(ts, len);
        },
      ),
      { numRuns: 2000 },
    );
  }
  t.pass('agrees on 18000 timestamps around bucket boundaries');
});
