/**
 * Live: a real nats-server applies `{{partition(P,1,2)}}` mappings (P = 8 for
 * trades, 13 for quotes) to unpartitioned subjects, and the partition token it
 * appends must equal partitionOf for every one of thousands of symbols.
 */

import { connect } from '@nats-io/transport-node';
import fc from 'fast-check';
import t from 'tap';
import { partitionOf } from '../../schemas/partition.js';
import {
  partitionMapping,
  quoteSubject,
  tradeSubject,
  unpartitionedQuoteSubject,
  unpartitionedTradeSubject,
} from '../../schemas/subjects.js';
import { startNats } from '../support/servers.js';
import { arbAsciiSymbol, arbSymbol } from './record-arbitraries.js';

const TRADE_P = 8;
const QUOTE_P = 13;

function mappingConfig(): string {
  const lines = ['mappings = {'];
  for (const m of [partitionMapping('trade', TRADE_P), partitionMapping('quote', QUOTE_P)]) {
    lines.push(`  ${JSON.stringify(m.source)}: ${JSON.stringify(m.destination)}`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** ~3500 distinct symbols: exchange-style ASCII, escaped punctuation and arbitrary unicode. */
function symbols(): string[] {
  const out = new Set<string>();
  for (let i = 0; i < 1000; i++) out.add(`SYM${i}`);
  for (let i = 0; i < 300; i++) out.add(`B${i}/USDT`);
  for (let i = 0; i < 200; i++) out.add(`BRK.${String.fromCharCode(65 + (i % 26))}${i}`);
  for (let i = 0; i < 200; i++) out.add(`ES Z${i}`);
  for (const s of fc.sample(arbAsciiSymbol, { numRuns: 1000, seed: 42 })) out.add(s);
  for (const s of fc.sample(arbSymbol, { numRuns: 1000, seed: 7 })) out.add(s);
  return [...out];
}

/** Raw non-ASCII tokens (valid subject tokens, not escaped) to check hashing of multi-byte UTF-8. */
function rawUnicodeTokens(): string[] {
  const token = fc
    .string({ unit: 'binary', minLength: 1, maxLength: 12 })
    .filter((s) => /^[^\s.*>\p{Cc}]+$/u.test(s));
  return [...new Set(fc.sample(token, { numRuns: 1000, seed: 3 }))];
}

t.test('the server partition mapping and partitionOf agree on every subject', async (t) => {
  const nats = await startNats({ jetstream: false, config: mappingConfig() });
  t.teardown(() => nats.stop());
  const nc = await connect({ servers: nats.url });
  t.teardown(() => nc.close());

  const received = new Map<string, string>();
  const sub = nc.subscribe('md.>');
  const syms = symbols();
  const raw = rawUnicodeTokens();
  const venues = ['binance', 'coinbase', 'nyse', 'cme', 'sim-2', 'x_1'];
  const expected = new Map<string, string>();
  let i = 0;
  for (const symbol of syms) {
    const venue = venues[i++ % venues.length]!;
    // Trades and quotes of the same symbol go through different mappings (P = 8 and P = 13).
    const trade = unpartitionedTradeSubject(venue, symbol);
    const quote = unpartitionedQuoteSubject(venue, symbol);
    expected.set(trade, tradeSubject(venue, symbol, partitionOfSubject(trade, TRADE_P)));
    expected.set(quote, quoteSubject(venue, symbol, partitionOfSubject(quote, QUOTE_P)));
  }
  for (const token of raw) {
    const trade = `md.trade.sim.${token}`;
    expected.set(trade, `${trade}.${partitionOf('sim', token, TRADE_P)}`);
  }
  t.ok(syms.length >= 3000, `${syms.length} generated symbols`);
  t.ok(raw.length >= 200, `${raw.length} raw unicode tokens`);

  const done = (async () => {
    for await (const m of sub) {
      received.set(m.data.length > 0 ? new TextDecoder().decode(m.data) : m.subject, m.subject);
      if (received.size === expected.size) break;
    }
  })();
  for (const subject of expected.keys()) nc.publish(subject, subject);
  await nc.flush();
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error('timed out')), 30_000).unref(),
  );
  await Promise.race([done, timeout]);

  let mismatches = 0;
  const firstMismatches: string[] = [];
  for (const [sent, want] of expected) {
    const got = received.get(sent);
    if (got !== want) {
      mismatches++;
      if (firstMismatches.length < 5) firstMismatches.push(`${sent}: server ${got}, ours ${want}`);
    }
  }
  t.equal(received.size, expected.size, 'every message came back mapped');
  t.equal(mismatches, 0, firstMismatches.join('; '));
  // Partitions actually spread: every one of the 8 and 13 is used.
  const used = { trade: new Set<string>(), quote: new Set<string>() };
  for (const got of received.values()) {
    const tokens = got.split('.');
    used[tokens[1] as 'trade' | 'quote'].add(tokens[4]!);
  }
  t.equal(used.trade.size, TRADE_P);
  t.equal(used.quote.size, QUOTE_P);
});

function partitionOfSubject(unpartitioned: string, partitions: number): number {
  const [, , venue, token] = unpartitioned.split('.');
  return partitionOf(venue!, token!, partitions);
}
