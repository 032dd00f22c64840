import { parseIndicatorSpec } from '../../actors/index.js';
import { INTERVALS } from '../../schemas/records.js';
import type { EngineOption } from './option-table.js';

/** A value read for one option, or the reason it was refused (the words after the key). */
export type OptionValue = { ok: true; value: unknown } | { ok: false; problem: string };

const ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
const URL_SCHEMES = ['http:', 'https:'];
const NATS_SCHEMES = ['nats:', 'tls:', 'ws:', 'wss:'];
const MAX_STRING = 256;

/** What an option accepts, as the words after "must be". */
export function acceptedRange(option: EngineOption): string {
  switch (option.kind) {
    case 'integer': {
      const range = `an integer from ${option.min} to ${option.max}`;
      return option.sentinel === undefined
        ? range
        : `${option.sentinel.value} (${option.sentinel.meaning}) or ${range}`;
    }
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'string':
      return `a non-empty string of at most ${MAX_STRING} characters`;
    case 'id':
      return "1 to 64 letters, digits, '.', '_' or '-'";
    case 'host':
      return 'a host name or IP address without spaces';
    case 'path':
      return 'a non-empty file path';
    case 'url':
      return 'an http:// or https:// URL';
    case 'servers':
      return 'a non-empty list of NATS server URLs (nats://, tls://, ws://, wss:// or host:port)';
    case 'enum':
      return `one of ${(option.values ?? []).join(', ')}`;
    case 'enum-list':
      return `a list of distinct values from ${(option.values ?? []).join(', ')}`;
    case 'intervals':
      return `a list of intervals from ${INTERVALS.join(', ')}`;
    case 'indicators':
      return "a list of indicator specs such as 'sma:20', 'macd:12,26,9' or 'vwap'";
  }
}

/** How a refused value is quoted in a sentence. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v) || v === null) return JSON.stringify(v) ?? String(v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/**
 * Reads one option's value. `text` is true for environment variables and flags, whose values are
 * strings to convert (lists comma-separated); a file's JSON values must already have the right type.
 */
export function readOptionValue(option: EngineOption, raw: unknown, text: boolean): OptionValue {
  const refuse = (): OptionValue => ({
    ok: false,
    problem: `must be ${acceptedRange(option)}, got ${showValue(raw)}`,
  });
  if (option.optional === true && (raw === null || (text && raw === '')))
    return { ok: true, value: undefined };
  switch (option.kind) {
    case 'integer': {
      let n: number = Number.NaN;
      if (typeof raw === 'number') n = raw;
      else if (text && typeof raw === 'string' && /^-?[0-9][0-9_]*$/.test(raw.trim()))
        n = Number(raw.trim().replaceAll('_', ''));
      if (!Number.isSafeInteger(n)) return refuse();
      if (option.sentinel !== undefined && n === option.sentinel.value) return { ok: true, value: n };
      if (n < (option.min ?? -Infinity) || n > (option.max ?? Infinity)) return refuse();
      return { ok: true, value: n };
    }
    case 'number': {
      let n: number = Number.NaN;
      if (typeof raw === 'number') n = raw;
      else if (text && typeof raw === 'string' && raw.trim() !== '')
        n = Number(raw.trim().replaceAll('_', ''));
      return Number.isFinite(n) ? { ok: true, value: n } : refuse();
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (!text || typeof raw !== 'string') return refuse();
      const word = raw.trim().toLowerCase();
      if (word === 'true' || word === '1' || word === 'yes' || word === 'on')
        return { ok: true, value: true };
      if (word === 'false' || word === '0' || word === 'no' || word === 'off')
        return { ok: true, value: false };
      return refuse();
    }
    case 'string':
    case 'path': {
      if (typeof raw !== 'string') return refuse();
      const s = raw.trim();
      return s === '' || s.length > MAX_STRING ? refuse() : { ok: true, value: s };
    }
    case 'id':
      return typeof raw === 'string' && ID_RE.test(raw.trim()) ? { ok: true, value: raw.trim() } : refuse();
    case 'host':
      return typeof raw === 'string' && /^[^\s/]{1,253}$/.test(raw.trim())
        ? { ok: true, value: raw.trim() }
        : refuse();
    case 'url':
      return typeof raw === 'string' && isUrl(raw.trim(), URL_SCHEMES)
        ? { ok: true, value: raw.trim() }
        : refuse();
    case 'servers': {
      const list = readList(raw, text);
      if (list === undefined || list.length === 0 || list.length > 32) return refuse();
      for (let i = 0; i < list.length; i++) {
        const s = list[i];
        if (typeof s !== 'string' || !isNatsServer(s)) return refuse();
      }
      return { ok: true, value: list };
    }
    case 'enum':
      return typeof raw === 'string' && (option.values ?? []).includes(raw.trim())
        ? { ok: true, value: raw.trim() }
        : refuse();
    case 'enum-list':
    case 'intervals': {
      const allowed: readonly string[] = option.kind === 'intervals' ? INTERVALS : (option.values ?? []);
      const list = readList(raw, text);
      if (list === undefined) return refuse();
      const seen = new Set<string>();
      for (let i = 0; i < list.length; i++) {
        const s = list[i];
        if (typeof s !== 'string' || !allowed.includes(s)) return refuse();
        // Interval order and duplicates are the actors' rule; they say it in their own words.
        if (option.kind === 'enum-list' && seen.has(s)) return refuse();
        seen.add(s);
      }
      return { ok: true, value: list };
    }
    case 'indicators':
      return readIndicators(raw, text, refuse);
  }
}

/** Splits comma-separated text; a JSON list passes through. */
function readList(raw: unknown, text: boolean): unknown[] | undefined {
  if (Array.isArray(raw)) return raw as unknown[];
  if (!text || typeof raw !== 'string') return undefined;
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const s = part.trim();
    if (s !== '') out.push(s);
  }
  return out;
}

/**
 * `sma:20,macd:12,26,9` splits into `sma:20` and `macd:12,26,9`: a comma-separated piece that starts
 * with a digit continues the parameters of the spec before it. Spaces and ';' also separate specs.
 */
export function splitIndicatorList(textList: string): string[] {
  const out: string[] = [];
  for (const piece of textList.split(/[,;\s]+/)) {
    if (piece === '') continue;
    const c = piece.charCodeAt(0);
    const continues = (c >= 48 && c <= 57) || c === 46;
    if (continues && out.length > 0) out[out.length - 1] += `,${piece}`;
    else out.push(piece);
  }
  return out;
}

function readIndicators(raw: unknown, text: boolean, refuse: () => OptionValue): OptionValue {
  let list: unknown[];
  if (Array.isArray(raw)) list = raw as unknown[];
  else if (text && typeof raw === 'string') list = splitIndicatorList(raw);
  else return refuse();
  const specs: unknown[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (typeof item === 'string') {
      const parsed = parseIndicatorSpec(item);
      if ('error' in parsed) return { ok: false, problem: `has a bad entry: ${parsed.error}` };
      specs.push(parsed);
    } else if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      // Object specs are checked with the rest of the actor config by the actors' validator.
      specs.push(item);
    } else {
      return refuse();
    }
  }
  return { ok: true, value: specs };
}

function isUrl(s: string, schemes: readonly string[]): boolean {
  if (!URL.canParse(s)) return false;
  const url = new URL(s);
  return schemes.includes(url.protocol) && url.hostname !== '';
}

function isNatsServer(s: string): boolean {
  const t = s.trim();
  if (t.includes('://')) return isUrl(t, NATS_SCHEMES);
  return /^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$/.test(t);
}
