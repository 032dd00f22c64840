import t from 'tap';
import { OutgoingRateLimit } from '../../../feeds/connectors/outgoing-rate-limit.js';

t.test('sends messages evenly spaced, 1000 / N ms apart, and queues the rest', async (t) => {
  let now = 1000;
  const sent: Array<[number, string]> = [];
  const limit = new OutgoingRateLimit(
    20,
    (text) => {
      sent.push([now, text]);
      return true;
    },
    () => now,
  );
  limit.enqueue('a');
  limit.enqueue('b');
  limit.enqueue('c');
  t.same(sent, [[1000, 'a']], 'b and c wait for their 50 ms slots');
  t.equal(limit.pending, 2);
  now = 1050;
  await new Promise((r) => setTimeout(r, 200));
  t.same(sent[1], [1050, 'b']);
  now = 1100;
  await new Promise((r) => setTimeout(r, 200));
  t.same(sent[2], [1100, 'c']);
  t.equal(limit.pending, 0);
  now = 5000;
  limit.enqueue('d');
  t.same(sent[3], [5000, 'd'], 'after a quiet spell a message leaves at once');
  limit.clear();
});

t.test('a send refused by a closed socket drops the queue', async (t) => {
  const limit = new OutgoingRateLimit(
    5,
    () => false,
    () => 0,
  );
  limit.enqueue('a');
  limit.enqueue('b');
  t.equal(limit.pending, 0);
});
