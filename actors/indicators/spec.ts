/**
 * What a deployment asks for: indicator specs, their CLI/config text form, their
 * validation and the output names they produce.
 */

/**
 * One indicator to compute over closed candles. `name`, when given, replaces the
 * output-name prefix (single-output kinds: the whole name; `macd`: `name`,
 * `nameSignal`, `nameHist`; `bollinger`: `nameUpper`, `nameMiddle`, `nameLower`).
 */
export type IndicatorSpec =
  | { kind: 'sma' | 'ema' | 'rsi' | 'atr' | 'volatility'; period: number; name?: string }
  | { kind: 'macd'; fast: number; slow: number; signal: number; name?: string }
  | { kind: 'bollinger'; period: number; stddev: number; name?: string }
  | { kind: 'vwap'; name?: string };

/** Every accepted `kind`, in the order documentation lists them. */
export const INDICATOR_KINDS = [
  'sma',
  'ema',
  'rsi',
  'macd',
  'bollinger',
  'atr',
  'vwap',
  'volatility',
] as const;

/** Largest accepted period; bounds per-symbol state (the close ring is as long as the longest window). */
export const MAX_INDICATOR_PERIOD = 10_000;

/** Accepted bollinger multipliers; the range keeps `String(stddev)` free of exponents, so names stay stable. */
export const MIN_BOLLINGER_STDDEV = 0.01;
export const MAX_BOLLINGER_STDDEV = 100;

/** sma20 ema20 rsi14 macd(12,26,9) bollinger(20,2) atr14 vwap volatility(20). */
export const DEFAULT_INDICATORS: readonly IndicatorSpec[] = Object.freeze([
  Object.freeze({ kind: 'sma', period: 20 }),
  Object.freeze({ kind: 'ema', period: 20 }),
  Object.freeze({ kind: 'rsi', period: 14 }),
  Object.freeze({ kind: 'macd', fast: 12, slow: 26, signal: 9 }),
  Object.freeze({ kind: 'bollinger', period: 20, stddev: 2 }),
  Object.freeze({ kind: 'atr', period: 14 }),
  Object.freeze({ kind: 'vwap' }),
  Object.freeze({ kind: 'volatility', period: 20 }),
]);

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;
const PERIOD_KINDS: ReadonlySet<string> = new Set(['sma', 'ema', 'rsi', 'atr', 'volatility']);
const KIND_ALIASES: Readonly<Record<string, string>> = { bb: 'bollinger', vol: 'volatility' };

/**
 * Output names of one spec, in the order `IndicatorProgram.outputNames` lists them.
 * Defaults: `sma20`, `ema20`, `rsi14`, `atr14`, `vol20`, `vwap`; `macd`/`macdSignal`/`macdHist`
 * for (12,26,9), otherwise prefix `macd_<fast>_<slow>_<signal>`; `bbUpper`/`bbMiddle`/`bbLower`
 * for (20,2), otherwise prefix `bb_<period>_<stddev>` with the decimal point written `p`
 * (`bb_10_1p5Upper`) so names are also valid QuestDB column names.
 */
export function indicatorOutputNames(spec: IndicatorSpec): string[] {
  switch (spec.kind) {
    case 'sma':
    case 'ema':
    case 'rsi':
    case 'atr':
      return [spec.name ?? `${spec.kind}${spec.period}`];
    case 'volatility':
      return [spec.name ?? `vol${spec.period}`];
    case 'vwap':
      return [spec.name ?? 'vwap'];
    case 'macd': {
      const isDefault = spec.fast === 12 && spec.slow === 26 && spec.signal === 9;
      const p = spec.name ?? (isDefault ? 'macd' : `macd_${spec.fast}_${spec.slow}_${spec.signal}`);
      return [p, `${p}Signal`, `${p}Hist`];
    }
    case 'bollinger': {
      const isDefault = spec.period === 20 && spec.stddev === 2;
      const p =
        spec.name ?? (isDefault ? 'bb' : `bb_${spec.period}_${String(spec.stddev).replace('.', 'p')}`);
      return [`${p}Upper`, `${p}Middle`, `${p}Lower`];
    }
  }
}

/** The CLI/config text form of a spec (`sma:20`, `macd:12,26,9`, `fast=ema:12`); inverse of parseIndicatorSpec. */
export function formatIndicatorSpec(spec: IndicatorSpec): string {
  const prefix = spec.name === undefined ? '' : `${spec.name}=`;
  switch (spec.kind) {
    case 'vwap':
      return `${prefix}vwap`;
    case 'macd':
      return `${prefix}macd:${spec.fast},${spec.slow},${spec.signal}`;
    case 'bollinger':
      return `${prefix}bollinger:${spec.period},${spec.stddev}`;
    default:
      return `${prefix}${spec.kind}:${spec.period}`;
  }
}

/**
 * Parses the CLI/config form: `sma:20`, `ema:20`, `rsi:14`, `atr:14`, `volatility:20` (or `vol:20`),
 * `macd` or `macd:12,26,9`, `bollinger`, `bollinger:20` or `bollinger:20,2` (or `bb:…`), `vwap`,
 * each optionally prefixed by an output name: `fast=ema:12`. Returns the spec, or a sentence
 * saying what is wrong (the spec is also validated, so `sma:0` is an error).
 */
export function parseIndicatorSpec(text: string): IndicatorSpec | { error: string } {
  const src = text.trim();
  let body = src;
  let name: string | undefined;
  const eq = src.indexOf('=');
  if (eq >= 0) {
    name = src.slice(0, eq).trim();
    body = src.slice(eq + 1).trim();
  }
  const colon = body.indexOf(':');
  const rawKind = (colon >= 0 ? body.slice(0, colon) : body).trim().toLowerCase();
  const kind = KIND_ALIASES[rawKind] ?? rawKind;
  const params: number[] = [];
  if (colon >= 0) {
    const parts = body.slice(colon + 1).split(',');
    for (const part of parts) {
      const p = part.trim();
      const n = Number(p);
      if (p === '' || !Number.isFinite(n)) {
        return { error: `indicator '${src}': parameter '${p}' is not a number` };
      }
      params.push(n);
    }
  }
  const arity = (min: number, max: number, example: string): string | null =>
    params.length < min || params.length > max
      ? `indicator '${src}': ${kind} takes ${min === max ? min : `${min} to ${max}`} parameter${max === 1 ? '' : 's'}, e.g. '${example}'`
      : null;
  let spec: IndicatorSpec;
  let problem: string | null;
  if (PERIOD_KINDS.has(kind)) {
    problem = arity(1, 1, `${kind}:20`);
    spec = { kind: kind as 'sma', period: params[0] ?? 0 };
  } else if (kind === 'macd') {
    problem = params.length === 0 ? null : arity(3, 3, 'macd:12,26,9');
    spec = { kind: 'macd', fast: params[0] ?? 12, slow: params[1] ?? 26, signal: params[2] ?? 9 };
  } else if (kind === 'bollinger') {
    problem = arity(0, 2, 'bollinger:20,2');
    spec = { kind: 'bollinger', period: params[0] ?? 20, stddev: params[1] ?? 2 };
  } else if (kind === 'vwap') {
    problem = arity(0, 0, 'vwap');
    spec = { kind: 'vwap' };
  } else {
    return {
      error: `indicator '${src}': unknown kind '${rawKind}', accepted: ${INDICATOR_KINDS.join(', ')}`,
    };
  }
  if (problem !== null) return { error: problem };
  if (name !== undefined) spec.name = name;
  const problems: string[] = [];
  if (checkSpec(problems, `indicator '${src}'`, spec)) return { error: problems.join('; ') };
  return spec;
}

/**
 * Checks every spec and the set as a whole (output names must be unique). Returns one
 * sentence per problem, each starting `indicators[i] (<spec>)`; empty when all are valid.
 * Accepts values straight from JSON, so it checks types as well as ranges.
 */
export function validateIndicatorSpecs(specs: readonly IndicatorSpec[]): string[] {
  if (!Array.isArray(specs)) return ['indicators must be a list of indicator specs'];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < specs.length; i++) {
    const spec: unknown = specs[i];
    if (typeof spec !== 'object' || spec === null) {
      problems.push(`indicators[${i}] must be an object with a 'kind', got ${String(spec)}`);
      continue;
    }
    const where = `indicators[${i}] (${describe(spec as Record<string, unknown>)})`;
    if (checkSpec(problems, where, spec as Record<string, unknown>)) continue;
    for (const out of indicatorOutputNames(spec as IndicatorSpec)) {
      const first = seen.get(out);
      if (first === undefined) seen.set(out, i);
      else
        problems.push(
          `${where}: output name '${out}' is also produced by indicators[${first}]; give one a 'name'`,
        );
    }
  }
  return problems;
}

/** Appends the problems of one spec, each starting with `where`; returns whether there were any. */
function checkSpec(problems: string[], where: string, s: Record<string, unknown>): boolean {
  const before = problems.length;
  const kind = s['kind'];
  if (typeof kind !== 'string' || !(INDICATOR_KINDS as readonly string[]).includes(kind)) {
    problems.push(`${where}: kind must be one of ${INDICATOR_KINDS.join(', ')}, got ${quote(kind)}`);
    return true;
  }
  if (kind === 'macd') {
    checkPeriod(problems, where, 'fast', s['fast'], 1);
    checkPeriod(problems, where, 'slow', s['slow'], 2);
    checkPeriod(problems, where, 'signal', s['signal'], 1);
    if (problems.length === before && (s['fast'] as number) >= (s['slow'] as number)) {
      problems.push(`${where}: fast must be smaller than slow, got fast ${s['fast']} and slow ${s['slow']}`);
    }
  } else if (kind === 'bollinger') {
    checkPeriod(problems, where, 'period', s['period'], 1);
    const k = s['stddev'];
    if (typeof k !== 'number' || !(k >= MIN_BOLLINGER_STDDEV && k <= MAX_BOLLINGER_STDDEV)) {
      problems.push(
        `${where}: stddev must be a number from ${MIN_BOLLINGER_STDDEV} to ${MAX_BOLLINGER_STDDEV}, got ${quote(k)}`,
      );
    }
  } else if (kind !== 'vwap') {
    // A sample standard deviation needs at least two returns.
    checkPeriod(problems, where, 'period', s['period'], kind === 'volatility' ? 2 : 1);
  }
  const name = s['name'];
  if (name !== undefined && (typeof name !== 'string' || !NAME_RE.test(name))) {
    problems.push(
      `${where}: name must be a letter followed by up to 47 letters, digits or '_', got ${quote(name)}`,
    );
  }
  return problems.length !== before;
}

function checkPeriod(problems: string[], where: string, key: string, v: unknown, min: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_INDICATOR_PERIOD) {
    problems.push(
      `${where}: ${key} must be an integer from ${min} to ${MAX_INDICATOR_PERIOD}, got ${quote(v)}`,
    );
  }
}

function describe(s: Record<string, unknown>): string {
  try {
    return formatIndicatorSpec(s as IndicatorSpec);
  } catch {
    return 'unreadable spec';
  }
}

function quote(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}
