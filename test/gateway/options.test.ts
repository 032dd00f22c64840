/**
 * Gateway options: defaults, precedence (flag over environment over default)
 * and every validation message, which must name the option and the range.
 */

import t from 'tap';
import { runGateway } from '../../gateway/main.js';
import { GATEWAY_DEFAULTS, resolveGatewayOptions } from '../../gateway/options.js';

t.test('defaults, environment and flags', async (t) => {
  const d = resolveGatewayOptions([], {}).options;
  t.same(d, { ...GATEWAY_DEFAULTS, allowedOrigins: [] });
  t.equal(d.port, 8080);
  t.equal(d.auth, true, 'auth is on by default');
  const env = {
    TICKFLOW_GATEWAY_PORT: '9001',
    TICKFLOW_GATEWAY_AUTH: 'false',
    TICKFLOW_GATEWAY_ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443',
    TICKFLOW_GATEWAY_IDLE_TIMEOUT: '0',
  };
  const e = resolveGatewayOptions([], env).options;
  t.same(
    [e.port, e.auth, e.allowedOrigins, e.idleTimeoutSec],
    [9001, false, ['https://a.example', 'https://b.example:8443'], 0],
  );
  const f = resolveGatewayOptions(['--port', '9002', '--log-level', 'warn'], env).options;
  t.same([f.port, f.logLevel, f.auth], [9002, 'warn', false], 'flags win, the rest still comes from env');
});

t.test('every validation message names the option and what it accepts', async (t) => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['--port', '70000'], {}, /^options\.port \(--port\) must be an integer in \[0, 65535\], got "70000"$/],
    [[], { TICKFLOW_GATEWAY_PORT: 'http' }, /^options\.port \(TICKFLOW_GATEWAY_PORT\) must be an integer/],
    [['--auth', 'yes'], {}, /^options\.auth \(--auth\) must be true or false, got "yes"$/],
    [['--log-level', 'loud'], {}, /^options\.logLevel \(--log-level\) must be one of fatal, error/],
    [
      ['--idle-timeout', '10'],
      {},
      /^options\.idleTimeoutSec must be 0 or a multiple of 4 in \[8, 960\], got 10$/,
    ],
    [['--idle-timeout', '4'], {}, /^options\.idleTimeoutSec must be 0 or a multiple of 4/],
    [
      ['--idle-timeout', '964'],
      {},
      /^options\.idleTimeoutSec \(--idle-timeout\) must be an integer in \[0, 960\]/,
    ],
    [
      ['--max-lifetime', '241'],
      {},
      /^options\.maxLifetimeMin \(--max-lifetime\) must be an integer in \[0, 240\]/,
    ],
    [
      ['--soft-backpressure', '4096', '--hard-backpressure', '4096'],
      {},
      /^options\.hardBackpressureBytes \(4096\) must be greater than options\.softBackpressureBytes \(4096\)$/,
    ],
    [['--nats-url', 'http://x'], {}, /^options\.natsUrl must start with nats:\/\/ or tls:\/\//],
    [['--questdb-url', 'questdb:9000'], {}, /^options\.questdbUrl must be an http\(s\) URL/],
    [['--table-prefix', '1x'], {}, /^options\.tablePrefix must be letters, digits and _/],
    [['--jwt-secret', 'short'], {}, /^options\.jwtSecret must be at least 32 bytes$/],
    [
      ['--jwt-secret', 'y'.repeat(32), '--jwks-file', 'k.json'],
      {},
      /^options\.jwtSecret and options\.jwksFile are exclusive/,
    ],
    [
      ['--allowed-origins', 'https://a.example/path'],
      {},
      /^options\.allowedOrigins entry "https:\/\/a\.example\/path" must be \*/,
    ],
    [
      ['--max-payload-bytes', '100'],
      {},
      /^options\.maxPayloadBytes \(--max-payload-bytes\) must be an integer in \[256, 1048576\]/,
    ],
    [
      ['--slow-client-timeout-ms', '50'],
      {},
      /^options\.slowClientTimeoutMs \(--slow-client-timeout-ms\) must be an integer in \[100, 600000\]/,
    ],
    [['--bogus', '1'], {}, /Unknown option '--bogus'/],
  ];
  for (const [argv, env, message] of cases) {
    t.throws(
      () => resolveGatewayOptions(argv, env),
      { code: 'TF_ERR_GATEWAY_CONFIG', message },
      argv.join(' '),
    );
  }
});

t.test('runGateway exits 2 on a bad option or a stray argument, before starting anything', async (t) => {
  const written: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => {
    written.push(s);
    return true;
  }) as typeof process.stderr.write;
  try {
    t.equal(await runGateway(['--port', 'x'], {}), 2);
    t.equal(await runGateway(['serve'], {}), 2);
  } finally {
    process.stderr.write = write;
  }
  t.match(written[0], /^tickflow gateway: options\.port \(--port\) must be an integer in \[0, 65535\]/);
  t.match(written[1], /^tickflow gateway: unexpected argument "serve"/);
});
