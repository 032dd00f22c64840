import t from 'tap';
import { describeReason, REASON_CODES, REASON_OK } from '../../schemas/reasons.js';

t.test('every reason code has its own sentence', async (t) => {
  const sentences = new Set<string>();
  for (const code of REASON_CODES) {
    const s = describeReason(code);
    t.match(s, /^[A-Z].*\.$/, code);
    sentences.add(s);
  }
  t.equal(sentences.size, REASON_CODES.length);
});

t.test('reason codes are unique snake_case strings and ok is the success value', async (t) => {
  t.equal(new Set(REASON_CODES).size, REASON_CODES.length);
  for (const code of REASON_CODES) t.match(code, /^[a-z][a-z0-9_]*$/);
  t.equal(REASON_OK, 'ok');
  t.equal(REASON_CODES[0], 'ok');
  t.equal(describeReason('bad_price'), 'A price is not a finite number greater than 0.');
});
