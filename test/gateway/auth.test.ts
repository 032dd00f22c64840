/**
 * API keys (file format, hashing, CLI), JWT verification and the connection
 * counter, without a server.
 */

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import t from 'tap';
import { ApiKeyStore, addApiKey, hashApiKey, readKeysFile } from '../../gateway/auth/api-keys.js';
import { ConnectionCounter } from '../../gateway/auth/permissions.js';
import { createTokenVerifier } from '../../gateway/auth/tokens.js';
import { runKeysCommand } from '../../gateway/keys-command.js';

const dir = mkdtempSync(join(tmpdir(), 'tickflow-gw-keys-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function capture(): {
  out: string[];
  err: string[];
  io: { stdout(s: string): void; stderr(s: string): void };
} {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s) => out.push(s), stderr: (s) => err.push(s) } };
}

t.test('keys add prints the key once and stores only its hash', async (t) => {
  const file = join(dir, 'cli.json');
  const c = capture();
  const code = runKeysCommand(
    ['add', '--name', 'demo', '--channels', 'candles,indicators,alerts,trades', '--keys-file', file],
    {},
    c.io,
  );
  t.equal(code, 0);
  const key = c.out.join('').trim();
  t.match(key, /^tfk_[A-Za-z0-9_-]{43}$/);
  const text = readFileSync(file, 'utf8');
  t.notOk(text.includes(key), 'the key itself is not in the file');
  t.ok(text.includes(hashApiKey(key)), 'its hash is');
  t.equal(statSync(file).mode & 0o777, 0o600, 'owner-only file');
  const entry = readKeysFile(file).keys[0]!;
  t.same(
    [entry.name, entry.channels, entry.maxConnections],
    ['demo', ['candles', 'indicators', 'alerts', 'trades'], 10],
  );
  const store = new ApiKeyStore(readKeysFile(file));
  t.equal(store.lookup(key)?.id, 'key:demo');
  t.equal(store.lookup(`${key.slice(0, -1)}x`), undefined);

  const dup = capture();
  t.equal(
    runKeysCommand(['add', '--name', 'demo', '--channels', 'trades', '--keys-file', file], {}, dup.io),
    1,
  );
  t.match(dup.err.join(''), /a key named demo exists already/);
  const list = capture();
  t.equal(runKeysCommand(['list'], { TICKFLOW_GATEWAY_KEYS_FILE: file }, list.io), 0, 'env names the file');
  t.match(list.out.join(''), /^demo\tchannels=candles,indicators,alerts,trades\tmaxConnections=10/);
  const bad = capture();
  t.equal(runKeysCommand(['add', '--name', 'x', '--channels', 'orders', '--keys-file', file], {}, bad.io), 2);
  t.equal(runKeysCommand(['add', '--channels', 'trades', '--keys-file', file], {}, capture().io), 2);
  t.equal(runKeysCommand(['rotate'], {}, capture().io), 2);
  t.equal(runKeysCommand(['remove', '--name', 'demo', '--keys-file', file], {}, capture().io), 0);
  t.equal(runKeysCommand(['remove', '--name', 'demo', '--keys-file', file], {}, capture().io), 1);
  t.same(readKeysFile(file).keys, []);
});

t.test('a damaged keys file is refused with a sentence naming the problem', async (t) => {
  const file = join(dir, 'bad.json');
  const cases: [string, RegExp][] = [
    ['not json', /is not JSON/],
    ['{"keys":[]}', /must be \{"version":1/],
    ['{"version":1,"keys":[{"name":"a b"}]}', /keys\[0\]\.name must match/],
    ['{"version":1,"keys":[{"name":"a","hash":"md5:00"}]}', /keys\[0\]\.hash must be sha256/],
    [
      `{"version":1,"keys":[{"name":"a","hash":"sha256:${'0'.repeat(64)}","channels":["orders"]}]}`,
      /channels must list/,
    ],
  ];
  for (const [text, message] of cases) {
    writeFileSync(file, text);
    t.throws(() => readKeysFile(file), { code: 'TF_ERR_GATEWAY_KEYS_FILE', message });
  }
  t.same(
    readKeysFile(join(dir, 'missing.json')),
    { version: 1, keys: [] },
    'a missing file is an empty store',
  );
  t.throws(
    () =>
      addApiKey(join(dir, 'n.json'), {
        name: '',
        channels: [],
        maxConnections: 1,
        ratePerSecond: 1,
        burst: 1,
      }),
    {
      code: 'TF_ERR_GATEWAY_KEYS_FILE',
    },
  );
});

t.test('JWTs: HS256 and JWKS, claims to principal, refusals by reason', async (t) => {
  const secret = 's'.repeat(32);
  const verify = createTokenVerifier({
    secret,
    defaultMaxConnections: 7,
    defaultRatePerSecond: 20,
    defaultBurst: 40,
    issuer: 'tickflow',
  });
  const sign = (claims: Record<string, unknown>, opts: { iss?: string; exp?: string; sub?: string } = {}) => {
    let j = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '5m');
    if (opts.sub !== '') j = j.setSubject(opts.sub ?? 'bob');
    j = j.setIssuer(opts.iss ?? 'tickflow');
    return j.sign(new TextEncoder().encode(secret));
  };
  const p = await verify(await sign({ channels: ['candles', 'alerts'], max_conn: 3 }));
  t.match(p, { id: 'jwt:bob', kind: 'jwt', maxConnections: 3, ratePerSecond: 20, burst: 40 });
  t.same(typeof p === 'object' && [...p.channels], ['candles', 'alerts']);
  t.equal(await verify(await sign({ channels: ['*'] }, { iss: 'other' })), 'bad_claims');
  t.equal(await verify(await sign({ channels: ['*'] }, { sub: '' })), 'bad_claims', 'sub is required');
  t.equal(await verify(await sign({ channels: ['*'], max_conn: 0 })), 'bad_claims');
  t.equal(await verify(await sign({ channels: 'candles' })), 'bad_claims');
  t.equal(await verify(await sign({ channels: ['*'] }, { exp: '-1m' })), 'expired');
  t.equal(await verify('a.b.c'), 'malformed');
  const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x","exp":9999999999,"channels":["*"]}').toString('base64url')}.`;
  t.not(typeof (await verify(unsigned)), 'object', 'alg none is refused');

  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(
    jwksFile,
    JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] }),
  );
  const viaJwks = createTokenVerifier({
    jwksFile,
    defaultMaxConnections: 1,
    defaultRatePerSecond: 1,
    defaultBurst: 1,
  });
  const es = await new SignJWT({ channels: ['trades'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject('eve')
    .setExpirationTime('5m')
    .sign(privateKey);
  t.match(await viaJwks(es), { id: 'jwt:eve' });
  t.equal(
    await viaJwks(await sign({ channels: ['*'] })),
    'malformed',
    'an HS256 token is not accepted by a JWKS verifier',
  );
  t.throws(
    () =>
      createTokenVerifier({
        secret: 'short',
        defaultMaxConnections: 1,
        defaultRatePerSecond: 1,
        defaultBurst: 1,
      }),
    {
      code: 'TF_ERR_GATEWAY_CONFIG',
    },
  );
});

t.test('connection counter enforces per-principal limits', async (t) => {
  const c = new ConnectionCounter();
  const p = {
    id: 'key:a',
    kind: 'api_key' as const,
    channels: new Set<never>(),
    maxConnections: 2,
    ratePerSecond: 1,
    burst: 1,
  };
  t.same([c.acquire(p), c.acquire(p), c.acquire(p)], [true, true, false]);
  c.release(p);
  t.equal(c.count('key:a'), 1);
  t.equal(c.acquire(p), true);
});
