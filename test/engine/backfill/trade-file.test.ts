import t from 'tap';
import { TradeFileParser } from '../../../engine/backfill/trade-file.js';

t.test('CSV with a header in any column order and aliases', async (t) => {
  const p = new TradeFileParser({ format: 'csv', venue: 'file', timeUnit: 'ms' });
  t.same(p.parse('timestamp,Symbol,amount,price,side,trade_id', 1), { kind: 'skip' });
  const r = p.parse('1767571200000,BTC/USDT,0.5,42000.5,buy,77', 2);
  t.same(r, {
    kind: 'trade',
    trade: {
      v: 1,
      type: 'trade',
      venue: 'file',
      symbol: 'BTC/USDT',
      price: 42000.5,
      size: 0.5,
      side: 'buy',
      id: '77',
      ts: 1767571200000,
      recvTs: 1767571200000,
    },
  });
  t.same(p.parse('', 3), { kind: 'skip' });
});

t.test('defaults: side unknown, id from line number, ISO timestamps, time units', async (t) => {
  const p = new TradeFileParser({ format: 'csv', venue: 'v', timeUnit: 'us' });
  p.parse('symbol,price,size,ts', 1);
  const r = p.parse('AAPL,190,10,1767571200000123', 2);
  t.equal(r.kind, 'trade');
  if (r.kind === 'trade') {
    t.equal(r.trade.side, 'unknown');
    t.equal(r.trade.id, '2');
    t.equal(r.trade.ts, 1767571200000.123);
  }
  const iso = p.parse('AAPL,190,10,2026-01-05T00:00:00.250Z', 3);
  t.equal(iso.kind === 'trade' && iso.trade.ts, Date.UTC(2026, 0, 5, 0, 0, 0, 250));
});

t.test('bad lines say what is wrong', async (t) => {
  const p = new TradeFileParser({ format: 'csv', venue: 'v', timeUnit: 'ms' });
  t.match(p.parse('symbol,price', 1), { kind: 'error', message: /lacks required column\(s\) size, ts/ });
  p.parse('symbol,price,size,ts,side,seq', 2);
  t.match(p.parse('A,abc,1,1000', 3), { kind: 'error', message: /expected 6 fields/ });
  t.match(p.parse('A,abc,1,1000,buy,1', 4), { kind: 'error', message: /price 'abc' is not a number/ });
  t.match(p.parse('A,1,x,1000,buy,1', 5), { kind: 'error', message: /size 'x' is not a number/ });
  t.match(p.parse('A,1,1,yesterday,buy,1', 6), {
    kind: 'error',
    message: /timestamp 'yesterday' is not a time/,
  });
  t.match(p.parse('A,1,1,1000,long,1', 7), {
    kind: 'error',
    message: /side 'long' is not buy, sell or unknown/,
  });
  t.match(p.parse('A,1,1,1000,buy,1.5', 8), { kind: 'error', message: /seq '1.5' is not an integer/ });
  t.match(p.parse('"A,1,1,1000,buy,1', 9), { kind: 'error', message: /unterminated/ });
});

t.test('NDJSON lines take the Trade record shape or file aliases', async (t) => {
  const p = new TradeFileParser({ format: 'ndjson', venue: 'v', timeUnit: 'ms' });
  const r = p.parse(
    '{"venue":"x","symbol":"ES Z6","price":5000.25,"size":2,"side":"sell","id":"9","ts":1000,"seq":4}',
    1,
  );
  t.match(r, { kind: 'trade', trade: { venue: 'x', symbol: 'ES Z6', price: 5000.25, size: 2, seq: 4 } });
  t.match(p.parse('{not json', 2), { kind: 'error', message: /not JSON/ });
  t.match(p.parse('[1,2]', 3), { kind: 'error', message: /not a JSON object/ });
  t.match(p.parse('{"price":1,"size":1,"ts":1}', 4), { kind: 'error', message: /no symbol/ });
});
