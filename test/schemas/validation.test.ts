import fc from 'fast-check';
import t from 'tap';
import { REASON_CODES, type ReasonCode } from '../../schemas/reasons.js';
import type { RecordType } from '../../schemas/records.js';
import {
  validateAlert,
  validateCandle,
  validateIndicator,
  validateQuote,
  validateRecord,
  validateTrade,
} from '../../schemas/validation.js';
import { DECODE_CASES } from './payload-cases.js';
import { arbRecord } from './record-arbitraries.js';
import { ACCEPTED_ODDITIES, NOW, RECORD_CASES, VALID } from './record-fixtures.js';
import { SUBJECT_CASES } from './subject-cases.js';

const VALIDATORS: Record<RecordType, (x: unknown, now: number) => ReasonCode> = {
  trade: validateTrade,
  quote: validateQuote,
  candle: validateCandle,
  indicator: validateIndicator,
  alert: validateAlert,
};

t.test('the hand-written valid record of each kind is ok', async (t) => {
  for (const kind of Object.keys(VALID) as RecordType[]) {
    t.equal(VALIDATORS[kind](VALID[kind](), NOW), 'ok', kind);
    t.equal(validateRecord(VALID[kind](), NOW), 'ok', `${kind} via validateRecord`);
  }
});

t.test('every refusal gets its reason code', async (t) => {
  for (const c of RECORD_CASES) {
    t.equal(VALIDATORS[c.kind](c.record, NOW), c.reason, `${c.kind}: ${c.name}`);
  }
});

t.test('validateRecord dispatches on type and gives the same reasons', async (t) => {
  for (const c of RECORD_CASES) {
    if (c.reason === 'bad_type' || c.reason === 'bad_schema_version') continue;
    t.equal(validateRecord(c.record, NOW), c.reason, `${c.kind}: ${c.name}`);
  }
  t.equal(validateRecord({ v: 1, type: 'order' }, NOW), 'bad_type');
  t.equal(validateRecord({ type: 'order' }, NOW), 'bad_schema_version');
  t.equal(validateRecord({ ...VALID.trade(), v: 2 }, NOW), 'bad_schema_version');
});

t.test('odd but valid records are accepted (crossed and locked quotes included)', async (t) => {
  for (const c of ACCEPTED_ODDITIES) t.equal(VALIDATORS[c.kind](c.record, NOW), 'ok', `${c.kind}: ${c.name}`);
});

t.test('the future bound moves with the caller clock', async (t) => {
  const trade = { ...VALID.trade(), ts: NOW + 86_400_000 + 5 };
  t.equal(validateTrade(trade, NOW), 'bad_timestamp');
  t.equal(validateTrade(trade, NOW + 5), 'ok');
});

t.test('validators never throw, whatever they are given', async (t) => {
  const hostile = [
    undefined,
    0,
    Symbol('x'),
    () => 1,
    new Map([['v', 1]]),
    Object.create(null),
    new Proxy({}, { get: () => 1 }),
  ];
  for (const x of hostile) {
    for (const validate of Object.values(VALIDATORS)) t.doesNotThrow(() => validate(x, NOW));
  }
  t.equal(validateTrade(Object.create(null), NOW), 'bad_schema_version');
  t.equal(validateTrade(new Proxy({}, { get: () => 1 }), NOW), 'bad_type');
});

t.test('generated valid records of every kind validate', async () => {
  fc.assert(
    fc.property(arbRecord, (r) => validateRecord(r, NOW) === 'ok'),
    { numRuns: 500 },
  );
});

t.test('every reason code except ok is produced by some test case', async (t) => {
  const seen = new Set<ReasonCode>();
  for (const c of RECORD_CASES) seen.add(c.reason);
  for (const c of DECODE_CASES) seen.add(c.reason);
  for (const c of SUBJECT_CASES) seen.add(c.reason);
  const missing = REASON_CODES.filter((r) => r !== 'ok' && !seen.has(r));
  t.same(missing, []);
});
