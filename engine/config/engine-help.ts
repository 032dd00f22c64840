import type { HostFacts } from './defaults.js';
import { defaultEngineConfig } from './defaults.js';
import { CONFIG_FILE_ENV, ENGINE_OPTIONS_TABLE, optionEnvName, optionFlag } from './option-table.js';
import { acceptedRange } from './option-value.js';

const HOST_FOR_HELP: HostFacts = { hostname: 'host', pid: 1, cores: 1 };

/**
 * The text of `tickflow engine --help`, generated from the option table so every option is listed
 * with its flag (and short alias), environment variable, default, accepted range and description.
 */
export function engineHelp(): string {
  const defaults = defaultEngineConfig(HOST_FOR_HELP) as unknown as Record<string, unknown>;
  const lines = [
    'tickflow engine: consume trades and quotes from NATS JetStream, run the actors, write QuestDB.',
    '',
    'Usage: tickflow engine [--config file.json] [--section.key value ...]',
    '',
    'Each option is read, lowest precedence first, from its default, the JSON config file (same',
    `nesting as the keys below), its environment variable, then its flag. ${CONFIG_FILE_ENV} names the`,
    'config file when --config is absent. Lists are comma-separated in env and flags; booleans take',
    'true/false (a bare boolean flag means true, --no-<key> false). Every problem is reported at once',
    'and the engine exits with code 2.',
    '',
    '  -c, --config <file>    JSON config file',
    '  -h, --help             show this help',
  ];
  let section = '';
  for (const option of ENGINE_OPTIONS_TABLE) {
    const head = option.key
      .split('.')
      .slice(0, option.key.startsWith('actors.anomalies.') ? 3 : 1)
      .join('.');
    if (head !== section) {
      section = head;
      lines.push('', `${section}:`);
    }
    const flag =
      option.alias === undefined ? `    ${optionFlag(option)}` : `${option.alias}, ${optionFlag(option)}`;
    lines.push(`  ${flag}`);
    lines.push(`        ${option.description}`);
    lines.push(
      `        accepts ${acceptedRange(option)}; default ${defaultText(option.defaultText, valueAt(defaults, option.key))}`,
    );
    lines.push(`        env ${optionEnvName(option)}`);
  }
  return `${lines.join('\n')}\n`;
}

function valueAt(root: Record<string, unknown>, key: string): unknown {
  let node: unknown = root;
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  return node;
}

function defaultText(override: string | undefined, value: unknown): string {
  if (override !== undefined) return override;
  if (value === undefined) return 'unset';
  if (Array.isArray(value)) {
    if (value.length === 0) return 'empty';
    const items: string[] = [];
    for (const v of value)
      items.push(typeof v === 'string' ? v : indicatorText(v as Record<string, unknown>));
    return items.join(',');
  }
  return String(value);
}

/** Indicator specs are objects in the config; help shows them in their text form. */
function indicatorText(spec: Record<string, unknown>): string {
  const kind = String(spec['kind']);
  if (kind === 'vwap') return 'vwap';
  if (kind === 'macd') return `macd:${spec['fast']},${spec['slow']},${spec['signal']}`;
  if (kind === 'bollinger') return `bollinger:${spec['period']},${spec['stddev']}`;
  return `${kind}:${spec['period']}`;
}
