import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validateActorConfig } from '../../actors/index.js';
import { STACK_OPTION_SOURCES } from '../stack/index.js';
import type { HostFacts } from './defaults.js';
import { currentHostFacts, defaultEngineConfig } from './defaults.js';
import { didYouMean } from './did-you-mean.js';
import type { EngineConfig } from './engine-config.js';
import { ConfigError } from './errors.js';
import type { EngineOption } from './option-table.js';
import {
  CONFIG_FILE_ENV,
  ENGINE_OPTIONS_TABLE,
  META_FLAGS,
  optionEnvName,
  optionFlag,
} from './option-table.js';
import { acceptedRange, readOptionValue, showValue } from './option-value.js';

/**
 * `TICKFLOW_*` variables that belong to other components and are not engine options: the local
 * stack's (`TICKFLOW_NATS_PORT`, …) and anything under these prefixes. Every other `TICKFLOW_*`
 * variable must be an engine option, so a typo is caught instead of silently ignored.
 */
export const FOREIGN_ENV_PREFIXES: readonly string[] = [
  'TICKFLOW_GATEWAY_',
  'TICKFLOW_FEED_',
  'TICKFLOW_FEEDS_',
  'TICKFLOW_BENCH_',
  'TICKFLOW_STACK_',
  'TICKFLOW_TEST_',
];

const FOREIGN_ENV_NAMES: ReadonlySet<string> = new Set(
  Object.values(STACK_OPTION_SOURCES).map((source) => source.env),
);

/** Seams for tests: the machine facts behind some defaults, and how the config file is read. */
export interface LoadEngineConfigOptions {
  host?: HostFacts;
  readFile?: (path: string) => string;
}

/** The loaded config, where each key's value came from, and the config file used if any. */
export interface ResolvedEngineConfig {
  config: EngineConfig;
  /** Per option key: `default`, `file <path>`, `env <NAME>` or `flag <flag>`. */
  sources: Readonly<Record<string, string>>;
  configFile: string | undefined;
}

interface Assignment {
  option: EngineOption;
  raw: unknown;
  text: boolean;
  source: string;
}

const BY_KEY: ReadonlyMap<string, EngineOption> = new Map(ENGINE_OPTIONS_TABLE.map((o) => [o.key, o]));
const BY_ENV: ReadonlyMap<string, EngineOption> = new Map(
  ENGINE_OPTIONS_TABLE.map((o) => [optionEnvName(o), o]),
);
const BY_FLAG: ReadonlyMap<string, EngineOption> = flagMap();
/** Every object path that holds options (`actors`, `actors.anomalies`, …): a file may nest through them. */
const SECTIONS: ReadonlySet<string> = sectionPaths();

function flagMap(): Map<string, EngineOption> {
  const map = new Map<string, EngineOption>();
  for (const o of ENGINE_OPTIONS_TABLE) {
    map.set(optionFlag(o), o);
    if (o.alias !== undefined) map.set(o.alias, o);
  }
  return map;
}

function sectionPaths(): Set<string> {
  const set = new Set<string>();
  for (const o of ENGINE_OPTIONS_TABLE) {
    const parts = o.key.split('.');
    for (let i = 1; i < parts.length; i++) set.add(parts.slice(0, i).join('.'));
  }
  return set;
}

/**
 * Builds the engine config: defaults < JSON file (`--config path`, `-c`, or `TICKFLOW_CONFIG`) <
 * environment (`TICKFLOW_<SECTION>_<KEY>`) < flags (`--section.key value`, `--section.key=value`,
 * short aliases, `--no-<key>` for false). Every value from every source is checked, so a bad value is
 * reported even when a higher source overrides it; all problems are collected and thrown together as
 * a `ConfigError` (`TF_ERR_BAD_CONFIG`). Empty environment variables count as unset. `--help` is
 * ignored here (see `runConfigCli`).
 */
export function resolveEngineConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadEngineConfigOptions = {},
): ResolvedEngineConfig {
  const problems: string[] = [];
  const flags = parseFlags(argv, problems);
  const fromEnv = readEnv(env, problems);
  let configFile = flags.configFile;
  if (configFile === undefined) {
    const e = env[CONFIG_FILE_ENV];
    if (e !== undefined && e !== '') configFile = e;
  }
  const fromFile =
    configFile === undefined
      ? []
      : readConfigFile(resolve(configFile), options.readFile ?? readUtf8, problems);

  const config = defaultEngineConfig(options.host ?? currentHostFacts());
  const sources: Record<string, string> = {};
  for (const o of ENGINE_OPTIONS_TABLE) sources[o.key] = 'default';
  const failed = new Set<string>();
  for (const list of [fromFile, fromEnv, flags.assignments]) {
    for (const a of list) {
      const read = readOptionValue(a.option, a.raw, a.text);
      if (!read.ok) {
        problems.push(`${a.option.key} ${read.problem} (from ${a.source})`);
        failed.add(a.option.key);
        continue;
      }
      setPath(config, a.option.key, read.value);
      sources[a.option.key] = a.source;
    }
  }
  checkEngineRules(config, sources, failed, problems);
  for (const p of validateActorConfig(config.actors)) problems.push(withActorSource(p, sources));
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, sources, configFile: configFile === undefined ? undefined : resolve(configFile) };
}

/** {@link resolveEngineConfig} without the bookkeeping: the config, or a thrown `ConfigError`. */
export function loadEngineConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadEngineConfigOptions = {},
): EngineConfig {
  return resolveEngineConfig(argv, env, options).config;
}

function readUtf8(path: string): string {
  return readFileSync(path, 'utf8');
}

function parseFlags(
  argv: readonly string[],
  problems: string[],
): { assignments: Assignment[]; configFile: string | undefined } {
  const assignments: Assignment[] = [];
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === META_FLAGS.help || arg === META_FLAGS.helpAlias) continue;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') {
      problems.push(
        `unexpected argument ${showValue(arg)}: options are flags such as --streams.partitions 16`,
      );
      continue;
    }
    const eq = arg.indexOf('=');
    let flag = eq >= 0 ? arg.slice(0, eq) : arg;
    let inline: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    if (flag === META_FLAGS.config || flag === META_FLAGS.configAlias) {
      const value = inline ?? takeValue(argv, i);
      if (inline === undefined && value !== undefined) i++;
      if (value === undefined || value === '') problems.push(`${flag} needs the path of a JSON config file`);
      else configFile = value;
      continue;
    }
    const option = BY_FLAG.get(flag);
    if (option === undefined && flag.startsWith('--no-')) {
      const negated = BY_FLAG.get(`--${flag.slice(5)}`);
      if (negated?.kind === 'boolean' && inline === undefined) {
        assignments.push({ option: negated, raw: 'false', text: true, source: `flag ${flag}` });
        continue;
      }
    }
    if (option === undefined) {
      problems.push(unknownName(flag, 'flag', [...BY_FLAG.keys()], '--'));
      // Its value, if any, would otherwise be reported again as a stray argument.
      if (inline === undefined && takeValue(argv, i) !== undefined) i++;
      continue;
    }
    if (inline === undefined) {
      const next = argv[i + 1];
      if (option.kind === 'boolean') {
        if (next !== undefined && /^(true|false|yes|no|on|off|1|0)$/i.test(next)) {
          inline = next;
          i++;
        } else {
          inline = 'true';
        }
      } else {
        const value = takeValue(argv, i);
        if (value === undefined) {
          problems.push(`${flag} needs a value: ${acceptedRange(option)}`);
          continue;
        }
        inline = value;
        i++;
      }
    }
    flag = flag === optionFlag(option) ? flag : `${flag} (${optionFlag(option)})`;
    assignments.push({ option, raw: inline, text: true, source: `flag ${flag}` });
  }
  return { assignments, configFile };
}

/** The token after a flag, unless it is itself a flag; `-1` is a value, `-p` and `--x` are flags. */
function takeValue(argv: readonly string[], i: number): string | undefined {
  const next = argv[i + 1];
  if (next === undefined || next.startsWith('--') || BY_FLAG.has(next.split('=')[0]!)) return undefined;
  if (next === META_FLAGS.configAlias || next === META_FLAGS.helpAlias) return undefined;
  return next;
}

function readEnv(env: Readonly<Record<string, string | undefined>>, problems: string[]): Assignment[] {
  const out: Assignment[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('TICKFLOW_') || name === CONFIG_FILE_ENV) continue;
    const value = env[name];
    if (value === undefined || value === '') continue;
    const option = BY_ENV.get(name);
    if (option !== undefined) {
      out.push({ option, raw: value, text: true, source: `env ${name}` });
      continue;
    }
    if (FOREIGN_ENV_NAMES.has(name) || FOREIGN_ENV_PREFIXES.some((p) => name.startsWith(p))) continue;
    problems.push(unknownName(name, 'env', [...BY_ENV.keys()], 'TICKFLOW_'));
  }
  return out;
}

function readConfigFile(path: string, read: (path: string) => string, problems: string[]): Assignment[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(read(path));
  } catch (err) {
    const why =
      err instanceof SyntaxError ? `is not valid JSON (${err.message})` : `cannot be read (${errText(err)})`;
    problems.push(`config file ${path} ${why}`);
    return [];
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`config file ${path} must hold a JSON object of sections, got ${showValue(parsed)}`);
    return [];
  }
  const out: Assignment[] = [];
  walkFile(parsed as Record<string, unknown>, '', path, out, problems);
  return out;
}

function walkFile(
  node: Record<string, unknown>,
  prefix: string,
  file: string,
  out: Assignment[],
  problems: string[],
): void {
  for (const key of Object.keys(node)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const value = node[key];
    const option = BY_KEY.get(path);
    if (option !== undefined) {
      out.push({ option, raw: value, text: false, source: `file ${file}` });
    } else if (SECTIONS.has(path)) {
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        walkFile(value as Record<string, unknown>, path, file, out, problems);
      } else {
        problems.push(`${path} must be an object of options, got ${showValue(value)} (from file ${file})`);
      }
    } else {
      problems.push(unknownName(path, `file ${file}`, [...BY_KEY.keys(), ...SECTIONS], ''));
    }
  }
}

function unknownName(name: string, source: string, known: readonly string[], prefix: string): string {
  const guess = didYouMean(name, known, prefix);
  const hint = guess === undefined ? 'see tickflow engine --help' : `did you mean ${guess}?`;
  return `${name} is not a known option (from ${source}); ${hint}`;
}

function errText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' ? e.code : String(e.message ?? err);
}

function setPath(config: EngineConfig, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = config as unknown as Record<string, unknown>;
  for (let i = 0; i < parts.length - 1; i++) node = node[parts[i]!] as Record<string, unknown>;
  const last = parts[parts.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** Rules between engine keys; checked only when both keys were read cleanly, so nothing is reported twice. */
function checkEngineRules(
  c: EngineConfig,
  sources: Record<string, string>,
  failed: ReadonlySet<string>,
  problems: string[],
): void {
  const rule = (key: string, relation: string, other: string, value: number, bound: number): void => {
    if (failed.has(key) || failed.has(other)) return;
    problems.push(
      `${key} must be ${relation} ${other} (${bound}, from ${sources[other]}), got ${value} (from ${sources[key]})`,
    );
  };
  const s = c.streams;
  if (s.maxAgeMs > 0 && s.duplicateWindowMs > s.maxAgeMs) {
    rule('streams.duplicateWindowMs', 'at most', 'streams.maxAgeMs', s.duplicateWindowMs, s.maxAgeMs);
  }
  if (s.fetchBatch > s.maxAckPending) {
    rule('streams.fetchBatch', 'at most', 'streams.maxAckPending', s.fetchBatch, s.maxAckPending);
  }
  const q = c.questdb;
  if (q.retryMaxMs < q.retryMinMs)
    rule('questdb.retryMaxMs', 'at least', 'questdb.retryMinMs', q.retryMaxMs, q.retryMinMs);
}

/**
 * The actors' validator names keys relative to `ActorConfig` (`candles.intervals`, `indicators[2] …`);
 * the sentence gets the `actors.` prefix and the source of the longest option key it starts with.
 */
function withActorSource(problem: string, sources: Readonly<Record<string, string>>): string {
  const sentence = `actors.${problem}`;
  let best = '';
  for (const key of Object.keys(sources)) {
    if (
      key.length > best.length &&
      sentence.startsWith(key) &&
      /^[\s.[:]|^$/.test(sentence.charAt(key.length))
    ) {
      best = key;
    }
  }
  return best === '' ? sentence : `${sentence} (from ${sources[best]})`;
}
