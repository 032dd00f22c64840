import t from 'tap';
import { SimulatedMarket, simulatedSymbol } from '../../../feeds/simulator/market.js';

t.test('the same seed gives the same records; another seed does not', async (t) => {
  const a = new SimulatedMarket({ seed: 3, symbols: 20 });
  const b = new SimulatedMarket({ seed: 3, symbols: 20 });
  const c = new SimulatedMarket({ seed: 4, symbols: 20 });
  const ra = Array.from({ length: 500 }, () => a.next());
  const rb = Array.from({ length: 500 }, () => b.next());
  const rc = Array.from({ length: 500 }, () => c.next());
  t.same(ra, rb);
  t.notSame(ra, rc);
});

t.test('activity is skewed toward the first symbols and prices stay positive', async (t) => {
  const m = new SimulatedMarket({ seed: 1, symbols: 100, quoteFraction: 0.3 });
  const counts = new Map<string, number>();
  let quotes = 0;
  let lastTs = 0;
  let backwards = 0;
  for (let i = 0; i < 20_000; i++) {
    const r = m.next();
    counts.set(r.symbol, (counts.get(r.symbol) ?? 0) + 1);
    if (r.recvTs < lastTs) backwards++;
    lastTs = r.recvTs;
    if (r.type === 'quote') {
      quotes++;
      if (!(r.bidPrice > 0 && r.askPrice > r.bidPrice)) t.fail(`bad quote ${JSON.stringify(r)}`);
    } else if (!(r.price > 0 && r.size >= 0)) t.fail(`bad trade ${JSON.stringify(r)}`);
  }
  t.equal(backwards, 0, 'receive time never goes back');
  const first = counts.get(simulatedSymbol(0)) ?? 0;
  const tenth = counts.get(simulatedSymbol(9)) ?? 0;
  t.ok(first > 5 * tenth, `most active symbol ${first} vs 10th ${tenth}`);
  t.ok(quotes > 5000 && quotes < 7000, `about 30% quotes (${quotes})`);
});

t.test('late trades lie behind the clock by at most lateMaxMs', async (t) => {
  const m = new SimulatedMarket({ seed: 2, symbols: 5, quoteFraction: 0, lateFraction: 0.2, lateMaxMs: 300 });
  let late = 0;
  let maxDelay = 0;
  for (let i = 0; i < 5000; i++) {
    const r = m.next();
    if (r.type !== 'trade') continue;
    if (r.ts < r.recvTs) late++;
    maxDelay = Math.max(maxDelay, r.recvTs - r.ts);
  }
  t.ok(maxDelay <= 300, `largest delay ${maxDelay} ms`);
  t.ok(late > 700 && late < 1300, `about 20% late (${late})`);
});

t.test('sequences count trades and quotes separately per symbol', async (t) => {
  const m = new SimulatedMarket({ seed: 5, symbols: 3, quoteFraction: 0.5 });
  const last = new Map<string, number>();
  const wrong: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const r = m.next();
    const key = `${r.type}:${r.symbol}`;
    if (r.seq !== (last.get(key) ?? 0) + 1) wrong.push(`${key} seq ${r.seq}`);
    last.set(key, r.seq!);
  }
  t.same(wrong, []);
});
