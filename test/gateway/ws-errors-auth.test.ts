/**
 * Every protocol error code, auth (API keys and JWTs, bad and missing
 * credentials, channel permissions, connection limits, Origin allow-list) and
 * the per-connection rate limit, over real WebSocket connections to a gateway
 * whose record source is a stub (no records are needed here).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import t from 'tap';
import { addApiKey } from '../../gateway/auth/api-keys.js';
import { PROTOCOL_ERROR_CODES } from '../../gateway/protocol.js';
import type { Gateway } from '../../gateway/server.js';
import { startTestGateway, TestClient, testLogger, until } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'tickflow-gw-auth-'));
const keysFile = join(dir, 'keys.json');
const secret = 'x'.repeat(40);
const full = addApiKey(keysFile, {
  name: 'full',
  channels: ['trades', 'quotes', 'candles', 'indicators', 'alerts'],
  maxConnections: 10,
  ratePerSecond: 5,
  burst: 5,
});
const candlesOnly = addApiKey(keysFile, {
  name: 'candles-only',
  channels: ['candles'],
  maxConnections: 2,
  ratePerSecond: 100,
  burst: 100,
});
const auditLines: string[] = [];
const stubSource = async () => ({ connected: true, close: async () => {} });
const gw: Gateway = await startTestGateway(
  {
    auth: true,
    keysFile,
    jwtSecret: secret,
    allowedOrigins: ['https://app.example'],
    maxPayloadBytes: 1024,
    maxSubscriptions: 4,
  },
  { startSource: stubSource, log: testLogger(auditLines) },
);
t.teardown(async () => {
  await gw.close();
  rmSync(dir, { recursive: true, force: true });
});

const seen = new Set<string>();

async function refused(
  query: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  try {
    const c = await TestClient.connect(gw.port, query, headers);
    c.close();
  } catch (err) {
    const e = err as { status?: number; body?: string };
    if (e.status !== undefined) {
      const code = (JSON.parse(e.body ?? '{}') as { error?: { code?: string } }).error?.code;
      if (code !== undefined) seen.add(code);
      return { status: e.status, body: e.body ?? '' };
    }
    throw err;
  }
  throw new Error('the upgrade was accepted');
}

async function errorFor(c: TestClient, send: unknown): Promise<{ code: string; id?: unknown }> {
  const from = c.messages.length;
  c.send(send);
  const m = await c.next((x) => x.type === 'error', 3000, from);
  if (m.type !== 'error') throw new Error('not an error');
  seen.add(m.code);
  return m.id === undefined ? { code: m.code } : { code: m.code, id: m.id };
}

function jwt(claims: Record<string, unknown>, key = secret, exp = '1h'): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(key));
}

t.test('upgrade refusals: missing, unknown and bad credentials, origins, connection limits', async (t) => {
  const missing = await refused('');
  t.equal(missing.status, 401);
  t.match(JSON.parse(missing.body), { error: { code: 'unauthorized', message: /missing/ } });
  const unknownKey = await refused(`?token=tfk_${'A'.repeat(43)}`);
  t.match(JSON.parse(unknownKey.body), { error: { code: 'unauthorized', message: /unknown_key/ } });
  const wrongSig = await refused(`?token=${await jwt({ channels: ['*'] }, 'y'.repeat(40))}`);
  t.match(JSON.parse(wrongSig.body), { error: { message: /bad_signature/ } });
  const expired = await refused('', {
    authorization: `Bearer ${await jwt({ channels: ['*'] }, secret, '-10s')}`,
  });
  t.match(JSON.parse(expired.body), { error: { message: /expired/ } });
  const badClaims = await refused(`?token=${await jwt({ channels: ['everything'] })}`);
  t.match(JSON.parse(badClaims.body), { error: { message: /bad_claims/ } });
  const garbage = await refused('?token=not.a.jwt');
  t.match(JSON.parse(garbage.body), { error: { message: /malformed/ } });
  const origin = await refused(`?token=${full.key}`, { origin: 'https://evil.example' });
  t.equal(origin.status, 403);
  t.match(JSON.parse(origin.body), { error: { code: 'origin_not_allowed' } });
  const format = await refused(`?token=${full.key}&format=xml`);
  t.equal(format.status, 400);

  const ok = await TestClient.connect(gw.port, `?token=${full.key}`, { origin: 'https://app.example' });
  ok.close();
  const a = await TestClient.connect(gw.port, '', { authorization: `Bearer ${candlesOnly.key}` });
  const b = await TestClient.connect(gw.port, `?token=${candlesOnly.key}`);
  const third = await refused(`?token=${candlesOnly.key}`);
  t.equal(third.status, 429, 'the key allows 2 connections');
  t.match(JSON.parse(third.body), { error: { code: 'too_many_connections' } });
  a.close();
  await a.closed();
  await until(() => gw.metrics.counters.connections <= 1);
  const again = await TestClient.connect(gw.port, `?token=${candlesOnly.key}`);
  t.pass('a slot is free again after a close');
  again.close();
  b.close();

  const jwtLimited = await jwt({ channels: ['alerts'], max_conn: 1 });
  const j1 = await TestClient.connect(gw.port, `?token=${jwtLimited}`);
  t.equal((await refused(`?token=${jwtLimited}`)).status, 429, 'max_conn claim is enforced');
  j1.close();

  const metrics = await gw.metrics.registry.metrics();
  t.match(metrics, /tickflow_gateway_auth_failures_total\{reason="missing"\} 1/);
  t.match(metrics, /tickflow_gateway_auth_failures_total\{reason="expired"\} 1/);
  const audit = auditLines.map(
    (l) => JSON.parse(l) as { component?: string; event?: string; reason?: string },
  );
  t.ok(audit.some((l) => l.component === 'audit' && l.event === 'auth_failed' && l.reason === 'unknown_key'));
  t.ok(audit.some((l) => l.component === 'audit' && l.event === 'auth_ok'));
  t.notOk(auditLines.join('\n').includes(full.key), 'keys never reach the log');
});

t.test('channel permissions: forbidden channels are refused, granted ones work', async (t) => {
  const c = await TestClient.connect(gw.port, `?token=${candlesOnly.key}`);
  t.teardown(() => c.close());
  t.same(
    await errorFor(c, { op: 'subscribe', id: 9, channels: ['candles:1m', 'trades'], symbols: ['sim:A'] }),
    {
      code: 'forbidden',
      id: 9,
    },
  );
  c.send({ op: 'subscribe', channels: ['candles:1m'], symbols: ['sim:A'] });
  const ack = await c.next((m) => m.type === 'ack');
  t.same(ack.type === 'ack' && 'subscribed' in ack && ack.subscribed, [
    { channel: 'candles:1m', symbol: 'sim:A' },
  ]);
  const j = await TestClient.connect(gw.port, `?token=${await jwt({ channels: ['trades'] })}`);
  t.teardown(() => j.close());
  t.same(await errorFor(j, { op: 'subscribe', channels: ['alerts'], symbols: ['sim:A'] }), {
    code: 'forbidden',
  });
});

t.test('every protocol error code has a trigger', async (t) => {
  const c = await TestClient.connect(gw.port, `?token=${candlesOnly.key}`);
  t.teardown(() => c.close());
  t.same(await errorFor(c, '{"op":'), { code: 'bad_json' });
  t.same(await errorFor(c, new Uint8Array([0x92, 0x01])), { code: 'bad_msgpack' });
  t.same(await errorFor(c, [1, 2]), { code: 'bad_message' });
  t.same(await errorFor(c, { op: 'ping', id: { x: 1 } }), { code: 'bad_message' });
  t.same(await errorFor(c, { op: 'subscribe', id: 'x', channels: [], symbols: ['a:b'] }), {
    code: 'bad_message',
    id: 'x',
  });
  t.same(await errorFor(c, { op: 'dance', id: 3 }), { code: 'unknown_op', id: 3 });
  t.same(await errorFor(c, { op: 'subscribe', channels: ['candles:7m'], symbols: ['sim:A'] }), {
    code: 'unknown_channel',
  });
  t.same(await errorFor(c, { op: 'subscribe', channels: ['book'], symbols: ['sim:A'] }), {
    code: 'unknown_channel',
  });
  for (const bad of ['BTC/USDT', 'Binance:BTC', 'sim:', 'sim:a\u0001b', `sim:${'x'.repeat(65)}`, ':x']) {
    t.same(
      await errorFor(c, { op: 'subscribe', channels: ['candles:1m'], symbols: [bad] }),
      { code: 'bad_symbol' },
      bad,
    );
  }
  t.same(await errorFor(c, { op: 'hello', format: 'xml' }), { code: 'bad_format' });
  t.same(
    await errorFor(c, {
      op: 'subscribe',
      channels: ['candles:1m', 'candles:5m'],
      symbols: ['s:A', 's:B', 's:C'],
    }),
    { code: 'too_many_subscriptions' },
    '6 > 4',
  );
  t.same(await errorFor(c, { op: 'ping', pad: 'x'.repeat(2000) }), { code: 'payload_too_large' });
  c.send({ op: 'ping', id: 'alive' });
  t.ok(await c.next((m) => m.type === 'pong'), 'the connection survives every error');
  t.equal(c.closeCode, null);
});

t.test(
  'rate limit: a burst passes, then rate_limited once a second, then a close after persistent abuse',
  async (t) => {
    const c = await TestClient.connect(gw.port, `?token=${full.key}`);
    for (let i = 0; i < 8; i++) c.send({ op: 'ping', id: i });
    await c.next((m) => m.type === 'error');
    await new Promise((r) => setTimeout(r, 100));
    const pongs = c.messages.filter((m) => m.type === 'pong').map((m) => m.type === 'pong' && m.id);
    t.same(pongs, [0, 1, 2, 3, 4], 'burst of 5');
    const errors = c.messages.filter((m) => m.type === 'error');
    t.equal(errors.length, 1, 'one rate_limited error for three refused messages');
    t.equal(errors[0]!.type === 'error' && errors[0]!.code, 'rate_limited');
    seen.add('rate_limited');
    await new Promise((r) => setTimeout(r, 450));
    c.send({ op: 'ping', id: 'refilled' });
    await c.next((m) => m.type === 'pong' && m.id === 'refilled');
    t.pass('tokens refill at 5/s');
    for (let i = 0; i < 300; i++) c.send({ op: 'ping' });
    await c.closed();
    t.equal(c.closeCode, 4029);
    const metrics = await gw.metrics.registry.metrics();
    t.match(metrics, /tickflow_gateway_disconnects_total\{reason="rate_limited"\} 1/);
    t.match(metrics, /tickflow_gateway_client_errors_total\{code="rate_limited"\} \d/);
  },
);

t.test('all protocol error codes were produced', async (t) => {
  t.same(
    [...PROTOCOL_ERROR_CODES].filter((c) => !seen.has(c)),
    [],
  );
});
