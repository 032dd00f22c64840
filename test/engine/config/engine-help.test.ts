import t from 'tap';
import { ENGINE_OPTIONS_TABLE, engineHelp, optionEnvName, optionFlag } from '../../../engine/config/index.js';

t.test('help documents every option with flag, env, default and description', async (t) => {
  const help = engineHelp();
  const lines = help.split('\n');
  for (const option of ENGINE_OPTIONS_TABLE) {
    const at = lines.findIndex((l) => l.trimStart().replace(/^-\w, /, '') === optionFlag(option));
    t.ok(at > 0, `${option.key} listed`);
    t.equal(lines[at + 1]?.trim(), option.description, `${option.key} description`);
    t.match(lines[at + 2] ?? '', /^ {8}accepts .+; default .+$/, `${option.key} default`);
    t.equal(lines[at + 3]?.trim(), `env ${optionEnvName(option)}`, `${option.key} env`);
  }
  t.match(
    help,
    /-p, --streams\.partitions\n.*\n {8}accepts an integer from 1 to 1024; default 8\n {8}env TICKFLOW_STREAMS_PARTITIONS/,
  );
  t.match(help, /--engine\.shards\n.*\n.*default number of cores/);
  t.match(
    help,
    /--actors\.indicators\n.*\n.*default sma:20,ema:20,rsi:14,macd:12,26,9,bollinger:20,2,atr:14,vwap,volatility:20\n/,
  );
  t.match(help, /--nats\.credentials\n.*\n.*default unset/);
});

t.test('env names and flags are unique and follow the naming rule', async (t) => {
  const envs = new Set(ENGINE_OPTIONS_TABLE.map(optionEnvName));
  t.equal(envs.size, ENGINE_OPTIONS_TABLE.length);
  t.ok(envs.has('TICKFLOW_QUESTDB_ILP_URL'));
  t.ok(envs.has('TICKFLOW_ACTORS_ANOMALIES_PRICE_SPIKE_WARN_PCT'));
  t.equal(optionFlag(ENGINE_OPTIONS_TABLE[0]!), '--nats.servers');
});

t.test('the option table covers every leaf of the default config', async (t) => {
  const { defaultEngineConfig } = await import('../../../engine/config/index.js');
  const leaves: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, path === '' ? k : `${path}.${k}`);
    } else leaves.push(path);
  };
  walk(defaultEngineConfig({ hostname: 'h', pid: 1, cores: 2 }), '');
  const keys = new Set(ENGINE_OPTIONS_TABLE.map((o) => o.key));
  for (const leaf of leaves) t.ok(keys.has(leaf), `${leaf} is an option`);
  t.ok(keys.has('nats.credentials'), 'optional keys without a default are options too');
});
