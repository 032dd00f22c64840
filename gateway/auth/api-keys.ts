/**
 * API keys: `tfk_` plus 32 random bytes in base64url, shown once when made.
 * The keys file (JSON, mode 0600) stores only their SHA-256, so reading it does
 * not reveal a usable key; a presented key is hashed and looked up. SHA-256
 * suffices because keys are 256-bit random, not guessable passwords.
 */

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ChannelKind } from '../channels.js';
import { GatewayError } from '../errors.js';
import { type Principal, parseChannelGrants } from './permissions.js';

/** One key as stored. */
export interface ApiKeyEntry {
  /** Unique, for people and logs: 1-64 of `A-Z a-z 0-9 _ . -`. */
  name: string;
  /** `sha256:<hex>` of the key. */
  hash: string;
  channels: ChannelKind[];
  maxConnections: number;
  ratePerSecond: number;
  burst: number;
  /** ISO time the key was made. */
  createdAt: string;
}

/** The keys file. */
export interface KeysFile {
  version: 1;
  keys: ApiKeyEntry[];
}

/** What `keys add` takes. */
export interface NewKeySpec {
  name: string;
  channels: ChannelKind[];
  maxConnections: number;
  ratePerSecond: number;
  burst: number;
}

const KEY_PREFIX = 'tfk_';
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** A fresh random key. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** `sha256:<hex>` of a key, as stored. */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** True when the text has the shape of an API key (it may still be unknown). */
export function looksLikeApiKey(text: string): boolean {
  return text.startsWith(KEY_PREFIX) && text.length === KEY_PREFIX.length + 43;
}

function bad(path: string, why: string): GatewayError {
  return new GatewayError('TF_ERR_GATEWAY_KEYS_FILE', `keys file ${path}: ${why}`);
}

function isLimit(x: unknown, max: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= max;
}

/** Reads and validates a keys file; a missing file is an empty store. */
export function readKeysFile(path: string): KeysFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { version: 1, keys: [] };
    throw bad(path, `cannot be read: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad(path, 'is not JSON');
  }
  const d = doc as { version?: unknown; keys?: unknown };
  if (typeof doc !== 'object' || doc === null || d.version !== 1 || !Array.isArray(d.keys)) {
    throw bad(path, 'must be {"version":1,"keys":[...]}');
  }
  const names = new Set<string>();
  const keys: ApiKeyEntry[] = [];
  for (let i = 0; i < d.keys.length; i++) {
    const k = d.keys[i] as Record<string, unknown>;
    const where = `keys[${i}]`;
    if (typeof k !== 'object' || k === null) throw bad(path, `${where} must be an object`);
    if (typeof k['name'] !== 'string' || !NAME.test(k['name']))
      throw bad(path, `${where}.name must match ${NAME}`);
    if (names.has(k['name'])) throw bad(path, `${where}.name ${k['name']} is used twice`);
    names.add(k['name']);
    if (typeof k['hash'] !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(k['hash'])) {
      throw bad(path, `${where}.hash must be sha256:<64 hex digits>`);
    }
    const channels = parseChannelGrants(k['channels']);
    if (channels === null)
      throw bad(path, `${where}.channels must list trades, quotes, candles, indicators, alerts`);
    if (!isLimit(k['maxConnections'], 100_000))
      throw bad(path, `${where}.maxConnections must be an integer in [1, 100000]`);
    if (!isLimit(k['ratePerSecond'], 100_000))
      throw bad(path, `${where}.ratePerSecond must be an integer in [1, 100000]`);
    if (!isLimit(k['burst'], 100_000)) throw bad(path, `${where}.burst must be an integer in [1, 100000]`);
    keys.push({
      name: k['name'],
      hash: k['hash'],
      channels: [...channels],
      maxConnections: k['maxConnections'],
      ratePerSecond: k['ratePerSecond'],
      burst: k['burst'],
      createdAt: typeof k['createdAt'] === 'string' ? k['createdAt'] : '',
    });
  }
  return { version: 1, keys };
}

/** Writes the keys file atomically (temp file + rename), readable by the owner only. */
export function writeKeysFile(path: string, file: KeysFile): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Adds a key to the file and returns the key itself, which is stored nowhere. */
export function addApiKey(
  path: string,
  spec: NewKeySpec,
  now = new Date(),
): { key: string; entry: ApiKeyEntry } {
  if (!NAME.test(spec.name)) throw bad(path, `name ${JSON.stringify(spec.name)} must match ${NAME}`);
  const file = readKeysFile(path);
  for (const k of file.keys)
    if (k.name === spec.name) throw bad(path, `a key named ${spec.name} exists already`);
  const key = generateApiKey();
  const entry: ApiKeyEntry = {
    ...spec,
    channels: [...spec.channels],
    hash: hashApiKey(key),
    createdAt: now.toISOString(),
  };
  file.keys.push(entry);
  writeKeysFile(path, file);
  return { key, entry };
}

/** Removes a key by name; false when there was none. */
export function removeApiKey(path: string, name: string): boolean {
  const file = readKeysFile(path);
  const kept = file.keys.filter((k) => k.name !== name);
  if (kept.length === file.keys.length) return false;
  writeKeysFile(path, { version: 1, keys: kept });
  return true;
}

/** Keys by hash, for lookup of presented keys. */
export class ApiKeyStore {
  readonly #byHash = new Map<string, Principal>();

  constructor(file: KeysFile) {
    for (const k of file.keys) {
      this.#byHash.set(k.hash, {
        id: `key:${k.name}`,
        kind: 'api_key',
        channels: new Set(k.channels),
        maxConnections: k.maxConnections,
        ratePerSecond: k.ratePerSecond,
        burst: k.burst,
      });
    }
  }

  /** Keys held. */
  get size(): number {
    return this.#byHash.size;
  }

  /** The principal of a presented key, or undefined for an unknown key. */
  lookup(key: string): Principal | undefined {
    return this.#byHash.get(hashApiKey(key));
  }
}
