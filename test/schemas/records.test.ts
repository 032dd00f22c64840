import t from 'tap';
import { compareTradeIds } from '../../schemas/records.js';

t.test('numeric trade ids compare as integers of any length', async (t) => {
  t.equal(compareTradeIds('9', '10'), -1);
  t.equal(compareTradeIds('010', '10'), 1, 'leading zeros: same number, still ordered');
  t.equal(compareTradeIds('10', '010'), -1);
  t.equal(compareTradeIds('123456789012345678901234', '123456789012345678901235'), -1);
});

t.test('non-numeric ids compare lexically and after numeric ones', async (t) => {
  t.equal(compareTradeIds('abc', 'abd'), -1);
  t.equal(compareTradeIds('5', 'a'), -1);
  t.equal(compareTradeIds('a', '5'), 1);
  t.equal(compareTradeIds('x', 'x'), 0);
});
