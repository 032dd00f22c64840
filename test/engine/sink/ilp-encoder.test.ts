import t from 'tap';
import { type DoubleFormat, escapeTag, LineEncoder, quoteString } from '../../../engine/sink/ilp-encoder.js';
import type { Alert, Candle, IndicatorSnapshot, Quote, Trade } from '../../../schemas/index.js';

const TABLES = { trades: 'trades', quotes: 'q', candles: 'c', indicators: 'i', alerts: 'a' };

/** The bytes one call of the encoder writes, from a deliberately tiny buffer so growing is exercised. */
function encoded(write: (e: LineEncoder) => void, doubles: DoubleFormat = 'text'): Buffer {
  const e = new LineEncoder(TABLES, doubles);
  e.begin(16);
  write(e);
  return Buffer.from(e.finish());
}

const tradeLine = (x: Trade): string => encoded((e) => e.trade(x)).toString('utf8');
const quoteLine = (x: Quote): string => encoded((e) => e.quote(x)).toString('utf8');
const candleLine = (x: Candle): string => encoded((e) => e.candle(x)).toString('utf8');
const indicatorLine = (x: IndicatorSnapshot): string => encoded((e) => e.indicator(x)).toString('utf8');
const alertLine = (x: Alert): string => encoded((e) => e.alert(x)).toString('utf8');

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
    tradeLine(trade),
    'trades,venue=sim,symbol=ES\\ Z6,side=buy price=101.25,size=2,trade_id="77",recv_ts=1767323045002000t 1767323045000123000\n',
  );
  t.equal(
    tradeLine({ ...trade, seq: 9 }),
    'trades,venue=sim,symbol=ES\\ Z6,side=buy price=101.25,size=2,trade_id="77",recv_ts=1767323045002000t,seq=9i 1767323045000123000\n',
  );
});

t.test('quote, candle, indicator and alert lines', async (t) => {
  t.equal(
    quoteLine({
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
    candleLine({
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
    indicatorLine({
      v: 1,
      type: 'indicator',
      venue: 'sim',
      symbol: 'X',
      interval: '1m',
      ts: T0,
      closed: false,
      revision: 0,
      values: { sma20: 1.5, rsi14: null, bbUpper: -2 },
    }),
    'i,venue=sim,symbol=X,interval=1m closed=f,revision=0i,sma20=1.5,bb_upper=-2 1767323045000000000\n',
  );
  t.equal(
    alertLine({
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

t.test('binary doubles: name==, type 16, the IEEE 754 value little-endian, bit for bit', async (t) => {
  const price = 0.1 + 0.2; // 0.30000000000000004: text would need 17 digits
  const size = -5e-324; // smallest subnormal, negative
  const b = encoded(
    (e) =>
      e.trade({
        v: 1,
        type: 'trade',
        venue: 'sim',
        symbol: 'X',
        price,
        size,
        side: 'sell',
        id: 'a',
        ts: T0,
        recvTs: T0,
      }),
    'binary',
  );
  const at = b.indexOf(' price=');
  t.ok(at > 0);
  t.same([...b.subarray(at + 7, at + 9)], [0x3d, 16], '"==" marker then the double type byte');
  t.equal(b.readDoubleLE(at + 9), price);
  const sizeAt = b.indexOf(',size=');
  t.same([...b.subarray(sizeAt + 6, sizeAt + 8)], [0x3d, 16]);
  t.ok(Object.is(b.readDoubleLE(sizeAt + 8), size));
  t.equal(
    b.subarray(sizeAt + 16).toString('latin1'),
    ',trade_id="a",recv_ts=1767323045000000t 1767323045000000000\n',
    'everything that is not a double stays text',
  );
  t.equal(b.subarray(0, at).toString('latin1'), 'trades,venue=sim,symbol=X,side=sell');
});

t.test('non-ASCII symbols and strings are UTF-8 and escaped; odd numbers keep their meaning', async (t) => {
  const line = encoded((e) =>
    e.trade({
      v: 1,
      type: 'trade',
      venue: 'sim',
      symbol: 'Ünï cödé,=',
      price: 1e21,
      size: 0,
      side: 'unknown',
      id: 'id "q" ü',
      ts: T0 + 0.001,
      recvTs: T0,
      seq: 9_007_199_254_740_991,
    }),
  ).toString('utf8');
  t.equal(
    line,
    'trades,venue=sim,symbol=Ünï\\ cödé\\,\\=,side=unknown price=1e+21,size=0,trade_id="id \\"q\\" ü",' +
      'recv_ts=1767323045000000t,seq=9007199254740991i 1767323045000001000\n',
  );
  const revision = encoded((e) =>
    e.indicator({
      v: 1,
      type: 'indicator',
      venue: 'v',
      symbol: 's',
      interval: '1m',
      ts: 0,
      closed: true,
      revision: 12_345,
      values: {},
    }),
  ).toString('utf8');
  t.equal(
    revision,
    'i,venue=v,symbol=s,interval=1m closed=t,revision=12345i 0000\n',
    'epoch 0 and a bare row',
  );
});

t.test('begin() starts a new body; an earlier body is not overwritten', async (t) => {
  const e = new LineEncoder(TABLES, 'text');
  const alert = (message: string): Alert => ({
    v: 1,
    type: 'alert',
    venue: 'sim',
    symbol: 'X',
    kind: 'stale_feed',
    severity: 'info',
    ts: T0,
    value: 1,
    threshold: 2,
    message,
  });
  e.begin();
  e.alert(alert('first'));
  const first = e.finish();
  const copy = Buffer.from(first);
  e.begin();
  for (let i = 0; i < 2_000; i++) e.alert(alert(`second ${i}`));
  t.same(first, copy);
  t.equal(e.finish().toString('utf8').split('\n').length, 2_001);
});
