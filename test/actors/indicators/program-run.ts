import type { Test } from 'tap';
import type { IndicatorSpec } from '../../../actors/indicators/index.js';
import { IndicatorProgram } from '../../../actors/indicators/index.js';
import type { Candle } from '../../../schemas/records.js';

/** Values read after each push of `candles` through a fresh program of `specs`. */
export function runProgram(
  specs: readonly IndicatorSpec[],
  candles: readonly Candle[],
): Record<string, number | null>[] {
  const program = new IndicatorProgram(specs);
  const state = program.newState();
  const rows: Record<string, number | null>[] = [];
  for (const c of candles) {
    program.push(state, c);
    const out: Record<string, number | null> = {};
    program.read(state, out);
    rows.push(out);
  }
  return rows;
}

/** One output's values, candle by candle. */
export function column(rows: readonly Record<string, number | null>[], name: string): (number | null)[] {
  const out: (number | null)[] = [];
  for (const r of rows) out.push(r[name] === undefined ? Number.NaN : r[name]!);
  return out;
}

/**
 * Asserts two series agree: the same nulls, and numbers within `rel` of the
 * expected value (hand-worked fractions differ from the program's order of
 * operations in the last bits).
 */
export function assertSeries(
  t: Test,
  actual: readonly (number | null)[],
  expected: readonly (number | null)[],
  rel = 1e-12,
): void {
  t.equal(actual.length, expected.length, 'series length');
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (e === null || e === undefined || a === null || a === undefined) {
      t.equal(a, e, `value ${i}`);
      continue;
    }
    const tol = rel * Math.max(Math.abs(e), 1e-300);
    t.ok(Math.abs(a - e) <= tol, `value ${i}: ${a} is within ${tol} of ${e}`);
  }
}
