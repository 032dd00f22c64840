import t from 'tap';
import {
  alertLine,
  candleLine,
  escapeTag,
  indicatorLine,
  quoteLine,
  quoteString,
  tradeLine,
} from '../../../engine/sink/ilp-encoder.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5); // 1767323045000

t.test('tag and string escaping', async (t) => {
  t.equal(escapeTag('BTC/USDT'), 'BTC/USDT');
  t.equal(escapeTag('ES Z6'), 'ES\\ Z6');
  t.equal(escapeTag('a,b=c\\d'), 'a\\,b\\=c\\\\d');
  t.equal(quoteString('plain'), '"plain"');
  t.equal(quoteString('say "hi"\\ now\nok'), '"say \\"hi\\"\\\\ now\\\nok"');
  t.equal(quoteString('a, b = c'), '"a, b = c"', 'commas, spaces and = need nothing inside quotes');
});

t.test('a trade line, with and without seq', async (t) => {
  const trade = {
    v: 1,
    type: 'trade',
    venue: 'sim',
    symbol: 'ES Z6',
    price: 101.25,
    size: 2,
    side: 'buy',
    id: '77',
    ts: T0 + 0.123,
    recvTs: T0 + 2,
  } as const;
  t.equal(
    tradeLine('trades', trade),
    'trades,venue=sim,symbol=ES\\ Z6,side=buy price=101.25,size=2,trade_id="77",recv_ts=1767323045002000t 1767323045000123000\n',
  );
  t.equal(
    tradeLine('trades', { ...trade, seq: 9 }),
    'trades,venue=sim,symbol=ES\\ Z6,side=buy price=101.25,size=2,trade_id="77",recv_ts=1767323045002000t,seq=9i 1767323045000123000\n',
  );
});

t.test('quote, candle, indicator and alert lines', async (t) => {
  t.equal(
    quoteLine('q', {
      v: 1,
      type: 'quote',
      venue: 'sim',
      symbol: 'X',
      bidPrice: 1.5,
      bidSize: 0,
      askPrice: 2,
      askSize: 5e-7,
      ts: T0,
      recvTs: T0,
    }),
    'q,venue=sim,symbol=X bid_price=1.5,bid_size=0,ask_price=2,ask_size=5e-7,recv_ts=1767323045000000t 1767323045000000000\n',
  );
  t.equal(
    candleLine('c', {
      v: 1,
      type: 'candle',
      venue: 'sim',
      symbol: 'X',
      interval: '1s',
      start: T0,
      end: T0 + 1000,
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: 3,
      notional: 4.5,
      vwap: 1.5,
      trades: 2,
      buyVolume: 1,
      sellVolume: 2,
      firstTradeTs: T0 + 1,
      lastTradeTs: T0 + 999.9995,
      closed: true,
      revision: 1,
    }),
    'c,venue=sim,symbol=X,interval=1s end_ts=1767323046000000t,open=1,high=2,low=0.5,close=1.5,volume=3,' +
      'notional=4.5,vwap=1.5,trade_count=2i,buy_volume=1,sell_volume=2,first_trade_ts=1767323045001000t,' +
      'last_trade_ts=1767323046000000t,closed=t,revision=1i 1767323045000000000\n',
  );
  t.equal(
    indicatorLine(
      'i',
      {
        v: 1,
        type: 'indicator',
        venue: 'sim',
        symbol: 'X',
        interval: '1m',
        ts: T0,
        closed: false,
        revision: 0,
        values: { sma20: 1.5, rsi14: null, bbUpper: -2 },
      },
      new Map(),
    ),
    'i,venue=sim,symbol=X,interval=1m closed=f,revision=0i,sma20=1.5,bb_upper=-2 1767323045000000000\n',
  );
  t.equal(
    alertLine('a', {
      v: 1,
      type: 'alert',
      venue: 'sim',
      symbol: 'X',
      kind: 'stale_feed',
      severity: 'info',
      ts: T0,
      value: 61,
      threshold: 60,
      message: 'No trade for 61 s.',
    }),
    'a,venue=sim,symbol=X,kind=stale_feed,severity=info value=61,threshold=60,message="No trade for 61 s." 1767323045000000000\n',
  );
});
