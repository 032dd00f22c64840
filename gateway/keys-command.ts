/**
 * `tickflow gateway keys add|list|remove`: manages the API keys file. `add`
 * prints the new key once; only its hash is stored.
 */

import { parseArgs } from 'node:util';
import { addApiKey, readKeysFile, removeApiKey } from './auth/api-keys.js';
import { parseChannelGrants } from './auth/permissions.js';
import { GatewayError } from './errors.js';
import { ENV_PREFIX, GATEWAY_DEFAULTS } from './options.js';

/** Help text of `tickflow gateway keys`. */
export const KEYS_HELP = `Usage: tickflow gateway keys <add|list|remove> [options]

  add --name NAME --channels trades,quotes,candles,indicators,alerts|*
      [--max-connections N (10)] [--rate N per second (20)] [--burst N (40)]
      prints the new key once; only its SHA-256 is stored
  list                 names, channels and limits (never keys)
  remove --name NAME

  --keys-file PATH     (${ENV_PREFIX}KEYS_FILE, default ${GATEWAY_DEFAULTS.keysFile})
`;

/** Where the command writes. */
export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

function intFlag(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = /^[0-9]{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= 100_000)) {
    throw new GatewayError(
      'TF_ERR_GATEWAY_USAGE',
      `--${name} must be an integer in [1, 100000], got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** Runs `keys …`; returns the exit code (2 for usage errors). */
export function runKeysCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: CommandOutput,
): number {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    out.stdout(KEYS_HELP);
    return sub === undefined ? 2 : 0;
  }
  try {
    const { values } = parseArgs({
      args: rest,
      strict: true,
      options: {
        'keys-file': { type: 'string' },
        name: { type: 'string' },
        channels: { type: 'string' },
        'max-connections': { type: 'string' },
        rate: { type: 'string' },
        burst: { type: 'string' },
      },
    });
    const file = values['keys-file'] ?? env[`${ENV_PREFIX}KEYS_FILE`] ?? GATEWAY_DEFAULTS.keysFile;
    switch (sub) {
      case 'add': {
        if (values.name === undefined)
          throw new GatewayError('TF_ERR_GATEWAY_USAGE', 'keys add needs --name');
        const channels = parseChannelGrants((values.channels ?? '').split(',').filter((c) => c !== ''));
        if (channels === null || channels.size === 0) {
          throw new GatewayError(
            'TF_ERR_GATEWAY_USAGE',
            '--channels must list trades, quotes, candles, indicators, alerts, or *',
          );
        }
        const { key, entry } = addApiKey(file, {
          name: values.name,
          channels: [...channels],
          maxConnections: intFlag(values['max-connections'], 'max-connections', 10),
          ratePerSecond: intFlag(values.rate, 'rate', GATEWAY_DEFAULTS.ratePerSecond),
          burst: intFlag(values.burst, 'burst', GATEWAY_DEFAULTS.burst),
        });
        out.stdout(`${key}\n`);
        out.stderr(
          `key ${entry.name} added to ${file} (channels ${entry.channels.join(',')}); it is shown only now\n`,
        );
        return 0;
      }
      case 'list':
        for (const k of readKeysFile(file).keys) {
          out.stdout(
            `${k.name}\tchannels=${k.channels.join(',')}\tmaxConnections=${k.maxConnections}\trate=${k.ratePerSecond}/s\tburst=${k.burst}\tcreated=${k.createdAt}\n`,
          );
        }
        return 0;
      case 'remove':
        if (values.name === undefined)
          throw new GatewayError('TF_ERR_GATEWAY_USAGE', 'keys remove needs --name');
        if (!removeApiKey(file, values.name)) {
          out.stderr(`no key named ${values.name} in ${file}\n`);
          return 1;
        }
        out.stderr(`key ${values.name} removed from ${file}\n`);
        return 0;
      default:
        throw new GatewayError('TF_ERR_GATEWAY_USAGE', `unknown keys command ${JSON.stringify(sub)}`);
    }
  } catch (err) {
    const e = err as { code?: string; message: string };
    out.stderr(`tickflow gateway keys: ${e.message}\n`);
    if (e.code === 'TF_ERR_GATEWAY_USAGE' || (e.code ?? '').startsWith('ERR_PARSE_ARGS')) return 2;
    if (e.code === 'TF_ERR_GATEWAY_KEYS_FILE') return 1;
    throw err;
  }
}
