import t from 'tap';
import { CandleBook, DEFAULT_CANDLE_OPTIONS, validateCandleOptions } from '../../actors/candles.js';
import { Recorder } from './candles-harness.js';

const KNOWN = '1s, 5s, 15s, 30s, 1m, 5m, 15m, 30m, 1h, 4h, 1d';

t.test('the defaults are valid and as documented', async (t) => {
  t.same(validateCandleOptions(DEFAULT_CANDLE_OPTIONS), []);
  t.same(DEFAULT_CANDLE_OPTIONS, {
    intervals: ['1s', '1m', '5m', '15m', '1h', '1d'],
    closeDelayMs: 500,
    allowedLatenessMs: 2000,
    idleCloseMs: 1000,
  });
  t.ok(Object.isFrozen(DEFAULT_CANDLE_OPTIONS) && Object.isFrozen(DEFAULT_CANDLE_OPTIONS.intervals));
});

t.test('every problem is one sentence naming the key and the accepted range', async (t) => {
  t.same(
    validateCandleOptions({
      intervals: ['1m', '1s'],
      closeDelayMs: -1,
      allowedLatenessMs: Number.NaN,
      idleCloseMs: '5',
    }),
    [
      `candles.intervals must be a non-empty array of distinct intervals from ${KNOWN}, shortest first, got ["1m","1s"]`,
      'candles.closeDelayMs must be a finite number >= 0, got -1',
      'candles.allowedLatenessMs must be a finite number >= 0, got NaN',
      'candles.idleCloseMs must be a finite number >= 0, got "5"',
    ],
  );
  t.same(validateCandleOptions(null), ['candles must be an object, got null']);
  t.same(validateCandleOptions(7), ['candles must be an object, got 7']);
  const base = { ...DEFAULT_CANDLE_OPTIONS };
  const intervalsMsg = (got: string) =>
    `candles.intervals must be a non-empty array of distinct intervals from ${KNOWN}, shortest first, got ${got}`;
  t.same(validateCandleOptions({ ...base, intervals: [] }), [intervalsMsg('[]')]);
  t.same(validateCandleOptions({ ...base, intervals: ['1s', '2s'] }), [intervalsMsg('["1s","2s"]')]);
  t.same(validateCandleOptions({ ...base, intervals: ['1s', '1s'] }), [intervalsMsg('["1s","1s"]')]);
  t.same(validateCandleOptions({ ...base, intervals: '1s' }), [intervalsMsg('"1s"')]);
  t.same(validateCandleOptions({ ...base, intervals: ['toString'] }), [intervalsMsg('["toString"]')]);
  t.same(validateCandleOptions({ ...base, intervals: undefined }), [intervalsMsg('undefined')]);
  t.same(validateCandleOptions({ ...base, idleCloseMs: Number.POSITIVE_INFINITY }), [
    'candles.idleCloseMs must be a finite number >= 0, got Infinity',
  ]);
  t.same(validateCandleOptions({ ...base, closeDelayMs: 0, allowedLatenessMs: 0, idleCloseMs: 0 }), []);
  t.same(validateCandleOptions({ ...base, intervals: ['1d'] }), []);
});

t.test('a book refuses invalid options with a stable code and every problem', async (t) => {
  const bad = { ...DEFAULT_CANDLE_OPTIONS, intervals: [], allowedLatenessMs: -5 };
  t.throws(() => new CandleBook('sim', 'X', bad, new Recorder()), {
    name: 'CandleError',
    code: 'TF_ERR_BAD_CANDLE_OPTIONS',
    problems: [
      `candles.intervals must be a non-empty array of distinct intervals from ${KNOWN}, shortest first, got []`,
      'candles.allowedLatenessMs must be a finite number >= 0, got -5',
    ],
  });
});
