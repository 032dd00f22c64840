import t from 'tap';
import { bucketStart } from '../../actors/candles/bucket.js';

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
