import fc from 'fast-check';
import t from 'tap';
import { fnv32a, partitionOf } from '../../schemas/partition.js';

/** Byte-at-a-time FNV-32a straight from the definition, over TextEncoder output. */
function referenceFnv32a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Number((BigInt(h ^ b) * 0x01000193n) & 0xffffffffn);
  return h >>> 0;
}

t.test('published FNV-32a test vectors', async (t) => {
  t.equal(fnv32a(''), 0x811c9dc5);
  t.equal(fnv32a('a'), 0xe40c292c);
  t.equal(fnv32a('foobar'), 0xbf9cf968);
});

t.test('non-ASCII strings hash their UTF-8 bytes', async (t) => {
  // Worked out independently over the UTF-8 bytes: é = C3 A9, € = E2 82 AC, 😀 = F0 9F 98 80.
  t.equal(fnv32a('é'), 0x1e9de8c1);
  t.equal(fnv32a('€'), 0x298f832b);
  t.equal(fnv32a('😀'), 0x33a29608);
});

t.test('agrees with a byte-wise reference on arbitrary strings, lone surrogates included', async () => {
  const enc = new TextEncoder();
  fc.assert(
    fc.property(
      fc.string({ unit: 'binary', maxLength: 50 }),
      (s) => fnv32a(s) === referenceFnv32a(enc.encode(s)),
    ),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(
      fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)) }),
      (s) => {
        return fnv32a(s) === referenceFnv32a(enc.encode(s));
      },
    ),
    { numRuns: 1000 },
  );
});

t.test('partitionOf hashes venue and symbol tokens concatenated without a separator', async (t) => {
  // fnv32a('binanceBTC~2FUSDT') = 0x8fa818d6 = 2410158294: mod 8 = 6, mod 13 = 11.
  t.equal(partitionOf('binance', 'BTC~2FUSDT', 8), 6);
  t.equal(partitionOf('binance', 'BTC~2FUSDT', 13), 11);
  // fnv32a('nyseBRK~2EB') = 632167782: mod 8 = 6, mod 13 = 12.
  t.equal(partitionOf('nyse', 'BRK~2EB', 8), 6);
  t.equal(partitionOf('nyse', 'BRK~2EB', 13), 12);
  // fnv32a('cmeES~20Z6') = 2493982052: mod 8 = 4, mod 13 = 3.
  t.equal(partitionOf('cme', 'ES~20Z6', 8), 4);
  t.equal(partitionOf('cme', 'ES~20Z6', 13), 3);
  t.equal(partitionOf('binance', 'BTC~2FUSDT', 1), 0);
  t.equal(partitionOf('ab', 'c', 97), partitionOf('a', 'bc', 97));
});

t.test('partitionOf stays in range and matches the reference for any tokens', async () => {
  const enc = new TextEncoder();
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (v, s, p) => {
      const got = partitionOf(v, s, p);
      return got >= 0 && got < p && got === referenceFnv32a(enc.encode(v + s)) % p;
    }),
    { numRuns: 2000 },
  );
});

t.test('partitionOf refuses partition counts that are not integers in [1, 2^31)', async (t) => {
  for (const p of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
    t.throws(() => partitionOf('a', 'b', p), { code: 'TF_ERR_BAD_PARTITION' }, String(p));
  }
  t.equal(partitionOf('a', 'b', 2 ** 31 - 1), fnv32a('ab') % (2 ** 31 - 1));
});
