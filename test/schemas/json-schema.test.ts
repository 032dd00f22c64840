import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import t from 'tap';
import { JSON_SCHEMAS } from '../../schemas/json-schema.js';
import type { RecordType } from '../../schemas/records.js';
import { DEFAULT_JSON_SCHEMA_DIR, jsonSchemaFileText } from '../../schemas/write-json-schemas.js';
import { arbAlert, arbCandle, arbIndicator, arbQuote, arbTrade } from './record-arbitraries.js';
import { ACCEPTED_ODDITIES, RECORD_CASES, VALID } from './record-fixtures.js';

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validators = {} as Record<RecordType, (x: unknown) => boolean>;
for (const type of Object.keys(JSON_SCHEMAS) as RecordType[]) {
  const v = ajv.compile(JSON_SCHEMAS[type]);
  validators[type] = (x) => v(x) === true;
}

t.test('every schema compiles under ajv strict mode as draft 2020-12', async (t) => {
  for (const [type, schema] of Object.entries(JSON_SCHEMAS)) {
    t.equal(schema['$schema'], 'https://json-schema.org/draft/2020-12/schema', type);
    t.equal(schema['$id'], `urn:tickflow:schema:${type}:v1`);
  }
  t.same(Object.keys(JSON_SCHEMAS).sort(), ['alert', 'candle', 'indicator', 'quote', 'trade']);
});

t.test('the hand-written valid records and accepted oddities validate', async (t) => {
  for (const type of Object.keys(VALID) as RecordType[]) t.ok(validators[type](VALID[type]()), type);
  for (const c of ACCEPTED_ODDITIES) t.ok(validators[c.kind](c.record), `${c.kind}: ${c.name}`);
});

t.test('generated valid records validate', async () => {
  const arbs = {
    trade: arbTrade,
    quote: arbQuote,
    candle: arbCandle,
    indicator: arbIndicator,
    alert: arbAlert,
  };
  for (const type of Object.keys(arbs) as RecordType[]) {
    fc.assert(
      fc.property(arbs[type] as fc.Arbitrary<unknown>, (r) =>
        validators[type](JSON.parse(JSON.stringify(r))),
      ),
      { numRuns: 300 },
    );
  }
});

t.test(
  'the invalid records of the validation tests fail, except the rules JSON Schema cannot state',
  async (t) => {
    let caught = 0;
    for (const c of RECORD_CASES) {
      t.equal(validators[c.kind](c.record), !c.jsonSchemaCatches, `${c.kind}: ${c.name}`);
      if (c.jsonSchemaCatches) caught++;
    }
    t.ok(caught > 100, `${caught} refusals are expressible in JSON Schema`);
  },
);

t.test('the committed schema files are what write-json-schemas produces', async (t) => {
  for (const type of Object.keys(JSON_SCHEMAS) as RecordType[]) {
    const path = join(DEFAULT_JSON_SCHEMA_DIR, `${type}.schema.json`);
    t.equal(readFileSync(path, 'utf8'), jsonSchemaFileText(type), `${path} is up to date`);
    t.same(JSON.parse(readFileSync(path, 'utf8')), JSON_SCHEMAS[type]);
  }
});
