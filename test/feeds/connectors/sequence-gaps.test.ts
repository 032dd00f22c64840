import t from 'tap';
import { SequenceGaps } from '../../../feeds/connectors/index.js';

t.test('classifies ids per key and counts gaps and missing ids', async (t) => {
  const g = new SequenceGaps();
  const seen = [
    g.observe('A', 10),
    g.observe('A', 11),
    g.observe('B', 500),
    g.observe('A', 15), // 12, 13, 14 missing
    g.observe('A', 15), // duplicate
    g.observe('A', 13), // late
    g.observe('B', 502), // 501 missing
    g.observe('A', 16),
  ];
  t.same(seen, ['first', 'next', 'first', 'gap', 'stale', 'stale', 'gap', 'next']);
  t.same([g.gaps, g.missing, g.stale, g.lastGap], [2, 4, 2, 1]);
  t.equal(g.lastOf('A'), 16);
  t.equal(g.lastOf('C'), undefined);
});
