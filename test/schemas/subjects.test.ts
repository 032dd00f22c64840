import fc from 'fast-check';
import t from 'tap';
import { TfError } from '../../schemas/errors.js';
import type { Interval } from '../../schemas/records.js';
import {
  alertFilter,
  alertSubject,
  candleFilter,
  candleSubject,
  type DlqKind,
  dlqFilter,
  dlqSubject,
  escapeSymbol,
  type InputKind,
  indicatorFilter,
  indicatorSubject,
  inputFilter,
  parseSubject,
  partitionFilter,
  partitionMapping,
  quoteSubject,
  tradeSubject,
  unescapeSymbol,
  unescapeSymbolOrNull,
  unpartitionedQuoteSubject,
  unpartitionedTradeSubject,
} from '../../schemas/subjects.js';
import { arbAsciiSymbol, arbSymbol, arbVenue } from './record-arbitraries.js';
import { SUBJECT_CASES } from './subject-cases.js';

t.test('the documented examples escape as specified', async (t) => {
  t.equal(escapeSymbol('BTC/USDT'), 'BTC~2FUSDT');
  t.equal(escapeSymbol('BRK.B'), 'BRK~2EB');
  t.equal(escapeSymbol('ES Z6'), 'ES~20Z6');
  t.equal(escapeSymbol('a~b'), 'a~7Eb');
  t.equal(escapeSymbol('BTC-PERP_1'), 'BTC-PERP_1');
  t.equal(escapeSymbol('*>'), '~2A~3E');
  // UTF-8 bytes: é = C3 A9, € = E2 82 AC, 😀 = F0 9F 98 80.
  t.equal(escapeSymbol('é€😀'), '~C3~A9~E2~82~AC~F0~9F~98~80');
});

t.test('escaped tokens never hold subject metacharacters or whitespace', async () => {
  fc.assert(
    fc.property(arbSymbol, (s) => /^[A-Za-z0-9_~-]+$/.test(escapeSymbol(s))),
    { numRuns: 1000 },
  );
});

t.test('escaping round-trips for arbitrary safe unicode symbols', async () => {
  fc.assert(
    fc.property(arbSymbol, (s) => unescapeSymbol(escapeSymbol(s)) === s),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(arbAsciiSymbol, (s) => unescapeSymbol(escapeSymbol(s)) === s),
    { numRuns: 1000 },
  );
});

t.test('escaping is injective: different symbols give different tokens', async () => {
  fc.assert(
    fc.property(arbSymbol, arbSymbol, (a, b) => a === b || escapeSymbol(a) !== escapeSymbol(b)),
    { numRuns: 1000 },
  );
});

t.test('escapeSymbol rejects what cannot be made safe with TF_ERR_BAD_SYMBOL', async (t) => {
  const bad = [
    '',
    'A'.repeat(65),
    'BTC\nUSD',
    'tab\there',
    'del\u007f',
    'c1\u0090',
    'X\uD800Y',
    'X\uDC00',
    'end\uD83D',
  ];
  for (const s of bad) {
    t.throws(() => escapeSymbol(s), { code: 'TF_ERR_BAD_SYMBOL' }, JSON.stringify(s));
  }
  t.equal(escapeSymbol('A'.repeat(64)), 'A'.repeat(64));
  // 32 astral characters are 64 UTF-16 units: still accepted.
  t.equal(unescapeSymbol(escapeSymbol('😀'.repeat(32))), '😀'.repeat(32));
  t.throws(() => escapeSymbol('😀'.repeat(33)), { code: 'TF_ERR_BAD_SYMBOL' });
});

t.test('the escape cache stays correct past its bound', async (t) => {
  for (let i = 0; i < 20_000; i++) escapeSymbol(`S/${i}`);
  t.equal(escapeSymbol('S/0'), 'S~2F0');
  t.equal(escapeSymbol('S/19999'), 'S~2F19999');
});

t.test('unescapeSymbol refuses tokens escapeSymbol cannot produce', async (t) => {
  for (const token of [
    '',
    'BTC~2f',
    '~41',
    'BTC~',
    '~2',
    '~C3',
    '~C0~80',
    '~ED~A0~80',
    '~F4~90~80~80',
    '~00',
    'a.b',
    'a b',
  ]) {
    t.equal(unescapeSymbolOrNull(token), null, token);
    t.throws(() => unescapeSymbol(token), { code: 'TF_ERR_BAD_SUBJECT' }, token);
  }
});

t.test('input subject builders', async (t) => {
  t.equal(tradeSubject('binance', 'BTC/USDT', 3), 'md.trade.binance.BTC~2FUSDT.3');
  t.equal(quoteSubject('nyse', 'BRK.B', 0), 'md.quote.nyse.BRK~2EB.0');
  t.equal(unpartitionedTradeSubject('cme', 'ES Z6'), 'md.trade.cme.ES~20Z6');
  t.equal(unpartitionedQuoteSubject('sim', 'X'), 'md.quote.sim.X');
});

t.test('output and dead-letter subject builders', async (t) => {
  t.equal(candleSubject('1m', 'binance', 'BTC/USDT'), 'md.candle.1m.binance.BTC~2FUSDT');
  t.equal(indicatorSubject('4h', 'nyse', 'BRK.B'), 'md.indicator.4h.nyse.BRK~2EB');
  t.equal(alertSubject('cme', 'ES Z6'), 'md.alert.cme.ES~20Z6');
  t.equal(dlqSubject('trade', 7), 'md.dlq.trade.7');
  t.equal(dlqSubject('quote', 0), 'md.dlq.quote.0');
});

t.test('wildcard filters', async (t) => {
  t.equal(partitionFilter('trade', 5), 'md.trade.*.*.5');
  t.equal(partitionFilter('quote', 0), 'md.quote.*.*.0');
  t.equal(inputFilter('trade'), 'md.trade.*.*.*');
  t.equal(candleFilter(), 'md.candle.*.*.*');
  t.equal(candleFilter({ interval: '5m' }), 'md.candle.5m.*.*');
  t.equal(candleFilter({ venue: 'binance', symbol: 'BTC/USDT' }), 'md.candle.*.binance.BTC~2FUSDT');
  t.equal(indicatorFilter({ interval: '1h', venue: 'nyse' }), 'md.indicator.1h.nyse.*');
  t.equal(alertFilter(), 'md.alert.*.*');
  t.equal(alertFilter({ symbol: 'BRK.B' }), 'md.alert.*.BRK~2EB');
  t.equal(dlqFilter(), 'md.dlq.*.*');
  t.equal(dlqFilter('quote'), 'md.dlq.quote.*');
});

t.test('the server partition mapping', async (t) => {
  t.same(partitionMapping('trade', 8), {
    source: 'md.trade.*.*',
    destination: 'md.trade.{{wildcard(1)}}.{{wildcard(2)}}.{{partition(8,1,2)}}',
  });
  t.equal(
    partitionMapping('quote', 13).destination,
    'md.quote.{{wildcard(1)}}.{{wildcard(2)}}.{{partition(13,1,2)}}',
  );
});

t.test('builders reject bad venues, intervals, partitions and kinds with their codes', async (t) => {
  t.throws(() => tradeSubject('Binance', 'BTC', 0), { code: 'TF_ERR_BAD_VENUE' });
  t.throws(() => alertSubject('a.b', 'BTC'), { code: 'TF_ERR_BAD_VENUE' });
  t.throws(() => candleFilter({ venue: '*' }), { code: 'TF_ERR_BAD_VENUE' });
  t.throws(() => tradeSubject('binance', '', 0), { code: 'TF_ERR_BAD_SYMBOL' });
  t.throws(() => candleSubject('2m' as Interval, 'binance', 'BTC'), { code: 'TF_ERR_BAD_INTERVAL' });
  t.throws(() => indicatorSubject('toString' as Interval, 'binance', 'BTC'), { code: 'TF_ERR_BAD_INTERVAL' });
  t.throws(() => tradeSubject('binance', 'BTC', -1), { code: 'TF_ERR_BAD_PARTITION' });
  t.throws(() => quoteSubject('binance', 'BTC', 1.5), { code: 'TF_ERR_BAD_PARTITION' });
  t.throws(() => dlqSubject('trade', 2 ** 31), { code: 'TF_ERR_BAD_PARTITION' });
  t.throws(() => partitionFilter('trade', Number.NaN), { code: 'TF_ERR_BAD_PARTITION' });
  t.throws(() => partitionMapping('trade', 0), { code: 'TF_ERR_BAD_PARTITION' });
  t.throws(() => dlqSubject('candle' as DlqKind, 1), { code: 'TF_ERR_BAD_SUBJECT' });
  t.throws(() => dlqFilter('candle' as DlqKind), { code: 'TF_ERR_BAD_SUBJECT' });
  t.throws(() => inputFilter('candle' as InputKind), { code: 'TF_ERR_BAD_SUBJECT' });
  t.throws(() => alertFilter({ interval: '1m' } as object), { code: 'TF_ERR_BAD_SUBJECT' });
  try {
    tradeSubject('Binance', 'BTC', 0);
  } catch (err) {
    t.ok(err instanceof TfError);
    t.match((err as Error).message, /venue "Binance" must be 1-32 characters/);
  }
});

t.test('parseSubject reverses every builder', async (t) => {
  t.same(parseSubject('md.trade.binance.BTC~2FUSDT.3'), {
    ok: true,
    kind: 'trade',
    venue: 'binance',
    symbol: 'BTC/USDT',
    symbolToken: 'BTC~2FUSDT',
    partition: 3,
  });
  t.same(parseSubject('md.quote.nyse.BRK~2EB'), {
    ok: true,
    kind: 'quote',
    venue: 'nyse',
    symbol: 'BRK.B',
    symbolToken: 'BRK~2EB',
    partition: null,
  });
  t.same(parseSubject('md.candle.1d.cme.ES~20Z6'), {
    ok: true,
    kind: 'candle',
    interval: '1d',
    venue: 'cme',
    symbol: 'ES Z6',
    symbolToken: 'ES~20Z6',
  });
  t.same(parseSubject('md.indicator.15s.sim.X'), {
    ok: true,
    kind: 'indicator',
    interval: '15s',
    venue: 'sim',
    symbol: 'X',
    symbolToken: 'X',
  });
  t.same(parseSubject('md.alert.sim.a~7Eb'), {
    ok: true,
    kind: 'alert',
    venue: 'sim',
    symbol: 'a~b',
    symbolToken: 'a~7Eb',
  });
  t.same(parseSubject('md.dlq.quote.12'), { ok: true, kind: 'dlq', dlqKind: 'quote', partition: 12 });
  t.same(parseSubject('md.trade.binance.BTC.2147483647'), {
    ok: true,
    kind: 'trade',
    venue: 'binance',
    symbol: 'BTC',
    symbolToken: 'BTC',
    partition: 2147483647,
  });
});

t.test('parseSubject round-trips generated subjects', async () => {
  fc.assert(
    fc.property(arbVenue, arbSymbol, fc.nat(1000), (venue, symbol, p) => {
      const a = parseSubject(tradeSubject(venue, symbol, p));
      const b = parseSubject(candleSubject('30m', venue, symbol));
      return (
        a.ok &&
        a.kind === 'trade' &&
        a.venue === venue &&
        a.symbol === symbol &&
        a.partition === p &&
        b.ok &&
        b.kind === 'candle' &&
        b.symbol === symbol
      );
    }),
    { numRuns: 500 },
  );
});

t.test('parseSubject refuses every malformed subject with its reason', async (t) => {
  for (const c of SUBJECT_CASES) t.same(parseSubject(c.subject), { ok: false, reason: c.reason }, c.subject);
  t.same(parseSubject(42 as unknown as string), { ok: false, reason: 'bad_subject' });
});
