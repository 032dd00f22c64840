import t from 'tap';
import { didYouMean, editDistance, splitIndicatorList } from '../../../engine/config/index.js';

t.test('edit distance counts insertions, deletions, substitutions and swaps', async (t) => {
  t.equal(editDistance('partitions', 'partitions'), 0);
  t.equal(editDistance('partitons', 'partitions'), 1);
  t.equal(editDistance('parittions', 'partitions'), 1);
  t.equal(editDistance('kitten', 'sitting'), 3);
});

t.test('did you mean: near misses, suffix matches, nothing for strangers', async (t) => {
  const known = ['--streams.partitions', '--streams.maxAgeMs', '--log.level'];
  t.equal(didYouMean('--streams.partitons', known, '--'), '--streams.partitions');
  t.equal(didYouMean('--level', known, '--'), '--log.level');
  t.equal(didYouMean('--zzz', known, '--'), undefined);
});

t.test('indicator lists split at commas that start a new spec', async (t) => {
  t.same(splitIndicatorList('sma:20,macd:12,26,9,bb:20,2.5 vwap;rsi:14'), [
    'sma:20',
    'macd:12,26,9',
    'bb:20,2.5',
    'vwap',
    'rsi:14',
  ]);
});
