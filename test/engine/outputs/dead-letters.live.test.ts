/**
 * Live infrastructure test: dead letters through JetStream on a real nats-server started
 * through test/support.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import t, { type Test } from 'tap';
import { DeadLetters, deadLetterTarget } from '../../../engine/outputs/index.js';
import { startNats } from '../../support/servers.js';

async function server(t: Test, withStream: boolean): Promise<NatsConnection> {
  const nats = await startNats({ jetstream: true });
  const nc = await connect({ servers: nats.url });
  t.teardown(async () => {
    await nc.close();
    await nats.stop();
  });
  if (withStream) {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'MD_DLQ', subjects: ['md.dlq.*.*'] });
  }
  return nc;
}

t.test(
  'a dead letter keeps its payload bytes and carries reason, detail, subject and sequence',
  async (t) => {
    const nc = await server(t, true);
    const dl = new DeadLetters(jetstream(nc));
    const payload = new Uint8Array([0xc1, 0x00, 0xff, 0x92]);
    await dl.publish(
      { subject: 'md.trade.sim.BTC~2FUSDT.3', data: payload, seq: 42 },
      'undecodable',
      'The payload is not valid MessagePack.\r\nSecond line.',
    );
    const jsm = await jetstreamManager(nc);
    const stored = await jsm.streams.getMessage('MD_DLQ', { last_by_subj: 'md.dlq.trade.3' });
    t.equal(stored?.subject, 'md.dlq.trade.3');
    t.equal(stored?.seq, 1);
    t.same([...(stored?.data ?? [])], [0xc1, 0x00, 0xff, 0x92]);
    t.equal(stored?.header.get('Tf-Reason'), 'undecodable');
    t.equal(stored?.header.get('Tf-Detail'), 'The payload is not valid MessagePack. Second line.');
    t.equal(stored?.header.get('Tf-Subject'), 'md.trade.sim.BTC~2FUSDT.3');
    t.equal(stored?.header.get('Tf-Stream-Seq'), '42');

    // A quote with a bad partition token, and an explicit target, and no sequence.
    await dl.publish({ subject: 'md.quote.sim.X.007', data: payload }, 'bad_partition', 'p');
    const s2 = await jsm.streams.getMessage('MD_DLQ', { last_by_subj: 'md.dlq.quote.0' });
    t.equal(s2?.header.get('Tf-Subject'), 'md.quote.sim.X.007');
    t.equal(s2?.header.has('Tf-Stream-Seq'), false);
    await dl.publish({ subject: 'md.trade.sim.X.1', data: payload, seq: 9 }, 'undecodable', 'again', {
      kind: 'quote',
      partition: 7,
    });
    const s3 = await jsm.streams.getMessage('MD_DLQ', { last_by_subj: 'md.dlq.quote.7' });
    t.equal(s3?.header.get('Tf-Subject'), 'md.trade.sim.X.1');
    t.equal((await jsm.streams.info('MD_DLQ')).state.messages, 3);
    t.same(dl.byReason, { undecodable: 2, bad_partition: 1 });
    t.equal(dl.count('undecodable'), 2);
    t.equal(dl.count('bad_price'), 0);
    t.equal(dl.failures, 0);
  },
);

t.test('without a stream that captures md.dlq the publish fails with a clear code', async (t) => {
  const nc = await server(t, false);
  const dl = new DeadLetters(jetstream(nc), { timeoutMs: 2000 });
  await t.rejects(
    dl.publish({ subject: 'md.trade.sim.X.2', data: new Uint8Array([1]), seq: 1 }, 'bad_type', 'no type'),
    { code: 'TF_ERR_DLQ_NO_STREAM', message: /md\.dlq\.trade\.2/ },
  );
  t.equal(dl.failures, 1);
  t.equal(dl.count('bad_type'), 1, 'counted even when it could not be stored');
});

t.test('target from the input subject', async (t) => {
  t.same(deadLetterTarget('md.trade.binance.BTC~2FUSDT.12'), { kind: 'trade', partition: 12 });
  t.same(deadLetterTarget('md.quote.sim.ETH.0'), { kind: 'quote', partition: 0 });
  t.same(deadLetterTarget('md.quote.sim.ETH.01'), { kind: 'quote', partition: 0 });
  t.same(deadLetterTarget('md.trade.sim.ETH.99999999999'), { kind: 'trade', partition: 0 });
  t.same(deadLetterTarget('garbage'), { kind: 'trade', partition: 0 });
  t.same(deadLetterTarget('md.quote.sim.ETH'), { kind: 'quote', partition: 0 });
});
