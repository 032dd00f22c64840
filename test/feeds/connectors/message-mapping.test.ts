/**
 * The pure message mappings of both venues, value by value.
 */
import t from 'tap';
import {
  aggressorSide,
  binanceBookTickerToQuote,
  binanceStreamsOf,
  binanceTradeToTrade,
  coinbaseSubscribe,
  parseIsoMicros,
} from '../../../feeds/connectors/index.js';

t.test('parseIsoMicros keeps microseconds as a fraction of a millisecond', async (t) => {
  const base = Date.UTC(2014, 10, 7, 8, 19, 27);
  t.equal(parseIsoMicros('2014-11-07T08:19:27.028459Z'), base + 28.459);
  t.equal(parseIsoMicros('2014-11-07T08:19:27.5Z'), base + 500);
  t.equal(parseIsoMicros('2014-11-07T08:19:27Z'), base);
  t.equal(parseIsoMicros('2014-11-07T08:19:27.123456789Z'), base + 123.456, 'nanoseconds are dropped');
  t.ok(Number.isNaN(parseIsoMicros('2014-11-07T08:19:27.12a456Z')));
  t.ok(Number.isNaN(parseIsoMicros('2014-11-07 08:19:27')));
});

t.test('Coinbase side is the maker side: the aggressor is the opposite', async (t) => {
  t.same([aggressorSide('sell'), aggressorSide('buy'), aggressorSide('x')], ['buy', 'sell', 'unknown']);
  t.same(coinbaseSubscribe(['BTC-USD']), {
    type: 'subscribe',
    product_ids: ['BTC-USD'],
    channels: ['heartbeat', 'matches', 'ticker'],
  });
});

t.test('Binance streams and payloads', async (t) => {
  t.same(binanceStreamsOf('BTCUSDT'), ['btcusdt@trade', 'btcusdt@bookTicker']);
  const buyerMaker = binanceTradeToTrade(
    { e: 'trade', E: 123456789, s: 'BNBBTC', t: 12345, p: '0.001', q: '100', T: 123456785, m: true },
    9,
  );
  t.same(
    [buyerMaker.side, buyerMaker.ts, buyerMaker.id, buyerMaker.seq, buyerMaker.recvTs],
    ['sell', 123456785, '12345', 12345, 9],
  );
  t.equal(
    binanceTradeToTrade({ e: 'trade', E: 1, s: 'X', t: 1, p: '1', q: '1', T: 1, m: false }, 0).side,
    'buy',
  );
  const futures = binanceBookTickerToQuote(
    { u: 1, s: 'BTCUSDT', b: '1', B: '2', a: '3', A: '4', E: 50, T: 40 },
    99,
  );
  t.equal(futures.ts, 40, 'a transaction time, when present, is the event time');
});
