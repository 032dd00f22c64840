import t from 'tap';
import { LiveKeys } from '../../../engine/nats/live-keys.js';

t.test('a key is live from its last write until a TTL later, or until deleted', async (t) => {
  const v = new LiveKeys(1_000);
  t.equal(v.apply('m.a', 'PUT', 0), true, 'a new key changes the set');
  t.equal(v.apply('m.b', 'PUT', 100), true);
  t.equal(v.apply('m.a', 'PUT', 500), false, 'a renewal does not');
  t.same(v.live(999).sort(), ['m.a', 'm.b']);
  t.equal(v.has('m.b', 1_099), true);
  t.equal(v.has('m.b', 1_100), false, 'expired a TTL after its last write');
  t.same(v.live(1_100), ['m.a'], 'renewed at 500, live until 1,500');
  t.equal(v.apply('m.b', 'PUT', 1_200), true, 'back after expiring: the set changed');
  t.equal(v.apply('m.a', 'DEL', 1_300), true, 'a delete changes the set');
  t.equal(v.apply('m.a', 'PURGE', 1_300), false, 'deleting an unknown key does not');
  t.equal(v.apply('m.c', 'DEL', 1_300), false);
  t.same(v.live(1_300), ['m.b']);
  t.equal(v.has('m.a', 1_300), false);
});

t.test('a key renewed just before its TTL stays live without a change', async (t) => {
  const v = new LiveKeys(1_000);
  v.apply('p.1', 'PUT', 0);
  t.equal(v.apply('p.1', 'PUT', 999), false);
  t.equal(v.has('p.1', 1_998), true);
  t.equal(v.apply('p.1', 'PUT', 2_998), true, 'a write after the TTL lapsed brings it back');
});
