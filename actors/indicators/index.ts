/**
 * Public entry point of actors/indicators: technical indicators over closed
 * candles, compiled into a program whose per-(symbol, interval) state is a run
 * of doubles in a plain array.
 * How to add an indicator: write a kernel file (slots, push, read) next to the
 * others, add its kind to spec.ts (type, parse, validate, names) and its case
 * to program.ts, and cross-check it against a naive version in the tests.
 */
export type { IndicatorErrorCode } from './errors.js';
export { INDICATOR_ERROR_CODES, IndicatorError } from './errors.js';
export { IndicatorProgram } from './program.js';
export type { IndicatorSpec } from './spec.js';
export {
  DEFAULT_INDICATORS,
  formatIndicatorSpec,
  INDICATOR_KINDS,
  indicatorOutputNames,
  MAX_INDICATOR_PERIOD,
  parseIndicatorSpec,
  validateIndicatorSpecs,
} from './spec.js';
export type { IndicatorState } from './state.js';
export { doubleZeros } from './state.js';
