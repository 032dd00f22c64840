/**
 * The only way values reach SQL. A {@link SqlValue} can be made only by the
 * factories below, each of which validates its input against a whitelist
 * (venue code, symbol rules, enum lists, integer ranges); {@link sql} accepts
 * nothing else between its literal parts, and {@link quote} is the one place a
 * value becomes SQL text. Identifiers (table and column names) come from
 * configuration and schemas/, never from requests.
 */

import { INTERVAL_MS, isValidVenue, symbolProblem } from '../../schemas/index.js';

const brand: unique symbol = Symbol('SqlValue');

/** A validated value, ready to be quoted. */
export interface SqlValue {
  readonly [brand]: true;
  readonly kind: 'string' | 'integer';
  readonly text: string;
}

/** SQL text built by {@link sql}; the QuestDB client takes nothing else. */
export interface SafeSql {
  readonly text: string;
}

function make(kind: SqlValue['kind'], text: string): SqlValue {
  return { [brand]: true, kind, text };
}

function isSqlValue(x: unknown): x is SqlValue {
  return typeof x === 'object' && x !== null && (x as { [brand]?: unknown })[brand] === true;
}

/** Factories of {@link SqlValue}; each returns null for a value it refuses. */
export const SqlValues = {
  venue(x: string): SqlValue | null {
    return isValidVenue(x) ? make('string', x) : null;
  },
  symbol(x: string): SqlValue | null {
    return symbolProblem(x) === 'ok' ? make('string', x) : null;
  },
  interval(x: string): SqlValue | null {
    return Object.hasOwn(INTERVAL_MS, x) ? make('string', x) : null;
  },
  oneOf(x: string, allowed: readonly string[]): SqlValue | null {
    for (let i = 0; i < allowed.length; i++) if (allowed[i] === x) return make('string', x);
    return null;
  },
  integer(x: number, min: number, max: number): SqlValue | null {
    return Number.isSafeInteger(x) && x >= min && x <= max ? make('integer', String(x)) : null;
  },
};

/**
 * Quotes a validated value: integers as digits, strings in single quotes with
 * quotes doubled (symbols may contain `'`; control characters were refused).
 */
export function quote(v: SqlValue): string {
  if (!isSqlValue(v)) throw new TypeError('quote() takes only SqlValue objects');
  return v.kind === 'integer' ? v.text : `'${v.text.replaceAll("'", "''")}'`;
}

/** Raw SQL text from trusted code (identifiers, keywords); never from a request. */
export interface SqlFragment {
  readonly fragment: string;
}

/** Marks trusted SQL text (a table or column name from configuration) for use inside {@link sql}. */
export function trusted(fragment: string): SqlFragment {
  return { fragment };
}

/** Template tag: literal parts are code, every interpolation must be a SqlValue or a trusted fragment. */
export function sql(parts: TemplateStringsArray, ...values: (SqlValue | SqlFragment)[]): SafeSql {
  let text = parts[0]!;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    text += (isSqlValue(v) ? quote(v) : (v as SqlFragment).fragment) + parts[i + 1]!;
  }
  return { text };
}

/** Joins SQL pieces with a separator (e.g. ` AND `). */
export function joinSql(pieces: readonly SafeSql[], separator: string): SafeSql {
  let text = '';
  for (let i = 0; i < pieces.length; i++) text += (i === 0 ? '' : separator) + pieces[i]!.text;
  return { text };
}
