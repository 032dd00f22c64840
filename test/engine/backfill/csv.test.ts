import t from 'tap';
import { csvField, splitCsvLine } from '../../../engine/backfill/csv.js';

t.test('splits plain and quoted fields', async (t) => {
  t.same(splitCsvLine('a,b,c'), ['a', 'b', 'c']);
  t.same(splitCsvLine('sim,"ES Z6",1,2'), ['sim', 'ES Z6', '1', '2']);
  t.same(splitCsvLine('"a,b","say ""hi""",c'), ['a,b', 'say "hi"', 'c']);
  t.same(splitCsvLine('a,,c,'), ['a', '', 'c', '']);
  t.same(splitCsvLine(' a , b '), ['a', 'b']);
});

t.test('an unterminated or misplaced quote is an error, not a guess', async (t) => {
  t.equal(splitCsvLine('"abc,d'), null);
  t.equal(splitCsvLine('"ab"c,d'), null);
});

t.test('quotes fields only when needed and round-trips', async (t) => {
  t.equal(csvField('BTC/USDT'), 'BTC/USDT');
  t.equal(csvField(1.5), '1.5');
  t.equal(csvField(null), '');
  for (const s of ['a,b', 'say "hi"', 'line\nbreak', 'plain']) {
    t.same(splitCsvLine(`${csvField(s)},x`), [s, 'x']);
  }
});
