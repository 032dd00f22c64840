import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { unpack } from 'msgpackr';
import t from 'tap';
import { DEFAULT_FRAME_LIMITS, decodePayload, encodeFrame, encodeRecord } from '../../schemas/codec.js';
import { hasErrorCode } from '../../schemas/errors.js';
import type { AnyRecord, Trade } from '../../schemas/records.js';
import { DECODE_CASES } from './payload-cases.js';
import { arbFrame, arbRecord, arbTrade } from './record-arbitraries.js';
import { validCandle, validIndicator, validQuote, validTrade } from './record-fixtures.js';
import { decodeStandard } from './standard-msgpack.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

t.test('a record encodes to the exact standard MessagePack bytes worked out by hand', async (t) => {
  // {"v":1,"type":"trade","price":0.5,"seq":300}: fixmap(4), fixstr keys, positive fixint,
  // fixstr value, float64 for the fraction, uint16 for 300.
  const bytes = encodeRecord({ v: 1, type: 'trade', price: 0.5, seq: 300 } as unknown as Trade);
  t.equal(
    hex(bytes),
    '84' +
      'a176' +
      '01' +
      'a474797065' +
      'a57472616465' +
      'a57072696365' +
      'cb3fe0000000000000' +
      'a3736571' +
      'cd012c',
  );
});

t.test('undefined properties are left out, not written as an extension', async (t) => {
  const trade: Trade = { ...validTrade(), seq: undefined };
  const bytes = encodeRecord(trade);
  const decoded = decodeStandard(bytes) as Record<string, unknown>;
  t.notOk(Object.hasOwn(decoded, 'seq'));
  t.equal(Object.keys(decoded).length, 10);
  // In a frame, only the record whose seq is undefined loses the key.
  const frame = decodeStandard(encodeFrame([validTrade(), trade])) as Record<string, unknown>[];
  t.equal(frame[0]!['seq'], 77);
  t.notOk(Object.hasOwn(frame[1]!, 'seq'));
});

t.test('timestamps beyond 32 bits keep their fraction exactly', async (t) => {
  const trade = { ...validTrade(), ts: 1736942399000.125, recvTs: 1736942399999 };
  const r = decodePayload(encodeRecord(trade));
  t.ok(r.ok);
  if (r.ok) {
    t.equal((r.records[0] as Trade).ts, 1736942399000.125);
    t.equal((r.records[0] as Trade).recvTs, 1736942399999);
  }
});

t.test(
  'round trip is exact for every record kind, through decodePayload and a strict standard decoder',
  async () => {
    fc.assert(
      fc.property(arbRecord, (record) => {
        const bytes = encodeRecord(record);
        const r = decodePayload(bytes);
        if (!r.ok || r.records.length !== 1) return false;
        return isDeepStrictEqual(r.records[0], record) && isDeepStrictEqual(decodeStandard(bytes), record);
      }),
      { numRuns: 1000 },
    );
  },
);

t.test('frames round trip exactly and decode as arrays of maps in standard MessagePack', async () => {
  fc.assert(
    fc.property(arbFrame, (frame) => {
      const bytes = encodeFrame(frame);
      const r = decodePayload(bytes);
      return r.ok && isDeepStrictEqual(r.records, frame) && isDeepStrictEqual(decodeStandard(bytes), frame);
    }),
    { numRuns: 300 },
  );
});

t.test('no msgpackr extension type appears in any encoding', async () => {
  // decodeStandard throws on ext 0xc7-0xc9, fixext 0xd4-0xd8 and 0xc1 wherever they occur as a type
  // byte; a byte search would be wrong because float and string payloads may contain those values.
  fc.assert(
    fc.property(fc.array(arbRecord, { minLength: 1, maxLength: 5 }), (records) => {
      for (const r of records) decodeStandard(encodeRecord(r));
      return true;
    }),
    { numRuns: 500 },
  );
});

t.test('msgpackr default decoding agrees with our decoder', async (t) => {
  const quote = validQuote();
  t.strictSame(unpack(encodeRecord(quote)), quote);
});

t.test('a unicode symbol survives', async (t) => {
  const trade = { ...validTrade(), symbol: 'ÄPFEL/€😀' };
  const r = decodePayload(encodeRecord(trade));
  t.ok(r.ok);
  if (r.ok) t.equal((r.records[0] as Trade).symbol, 'ÄPFEL/€😀');
});

t.test('every refused payload gets its reason and a detail', async (t) => {
  for (const c of DECODE_CASES) {
    const r = decodePayload(c.payload, c.limits);
    t.equal(r.ok, false, c.name);
    if (!r.ok) {
      t.equal(r.reason, c.reason, c.name);
      t.type(r.detail, 'string');
      t.ok(r.detail.length > 0, `${c.name} has a detail`);
    }
  }
});

t.test('decodePayload never throws on random bytes', async () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (buf) => {
      const r = decodePayload(buf);
      return r.ok ? Array.isArray(r.records) : typeof r.reason === 'string';
    }),
    { numRuns: 2000 },
  );
});

t.test('a payload of exactly the limits is accepted', async (t) => {
  const frame = [validTrade(), validTrade(), validTrade()];
  const bytes = encodeFrame(frame);
  const r = decodePayload(bytes, { maxBytes: bytes.length, maxRecords: 3 });
  t.ok(r.ok);
  if (r.ok) t.equal(r.records.length, 3);
});

t.test('the default limits are 1 MiB and 4096 records', async (t) => {
  t.same(DEFAULT_FRAME_LIMITS, { maxBytes: 1_048_576, maxRecords: 4096 });
});

t.test('a single record decodes into a one-element list; outputs decode too', async (t) => {
  for (const rec of [validCandle(), validIndicator()] as AnyRecord[]) {
    const r = decodePayload(encodeRecord(rec));
    t.same(r, { ok: true, records: [rec] });
  }
});

t.test('encodeFrame refuses empty, mixed, too long and too large frames', async (t) => {
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (err) {
      return hasErrorCode(err, 'TF_ERR_BAD_FRAME') ? 'TF_ERR_BAD_FRAME' : String(err);
    }
    return undefined;
  };
  t.equal(
    code(() => encodeFrame([])),
    'TF_ERR_BAD_FRAME',
  );
  t.equal(
    code(() => encodeFrame([validTrade(), { ...validTrade(), symbol: 'ETH/USDT' }])),
    'TF_ERR_BAD_FRAME',
  );
  t.equal(
    code(() => encodeFrame([validTrade(), { ...validTrade(), venue: 'kraken' }])),
    'TF_ERR_BAD_FRAME',
  );
  t.equal(
    code(() => encodeFrame([validTrade(), validTrade()], { maxBytes: 1 << 20, maxRecords: 1 })),
    'TF_ERR_BAD_FRAME',
  );
  t.equal(
    code(() => encodeFrame([validTrade()], { maxBytes: 20, maxRecords: 10 })),
    'TF_ERR_BAD_FRAME',
  );
});

t.test('encoding an unencodable value throws TF_ERR_ENCODE', async (t) => {
  const bad = { ...validTrade(), seq: 2n ** 70n } as unknown as Trade;
  t.throws(() => encodeRecord(bad), { code: 'TF_ERR_ENCODE' });
});

t.test(
  'a 64-bit integer from another language decodes exactly: number when safe, BigInt otherwise',
  async (t) => {
    // {"seq": uint64 2^53+1} and {"seq": uint64 5}, as Go's msgpack writes them.
    const big = Uint8Array.from(Buffer.from('81a3736571cf0020000000000001', 'hex'));
    const small = Uint8Array.from(Buffer.from('81a3736571cf0000000000000005', 'hex'));
    t.same(decodePayload(small), { ok: true, records: [{ seq: 5 }] });
    const r = decodePayload(big);
    t.ok(r.ok);
    if (r.ok) t.equal((r.records[0] as { seq: unknown }).seq, 2n ** 53n + 1n);
  },
);

t.test('generated trades survive frames of one trade each', async () => {
  fc.assert(
    fc.property(arbTrade, (trade) => {
      const r = decodePayload(encodeFrame([trade]));
      return r.ok && r.records.length === 1;
    }),
    { numRuns: 200 },
  );
});
