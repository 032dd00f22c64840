/**
 * Writes every record's JSON Schema to `schemas/json/<type>.schema.json`.
 * Run after changing `json-schema.ts` or `records.ts`, and commit the output:
 *   npx tsc -p . && node build/schemas/write-json-schemas.js [outDir]
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSON_SCHEMAS } from './json-schema.js';
import type { RecordType } from './records.js';

/** The file text for one schema: two-space JSON with a final newline, stable across runs. */
export function jsonSchemaFileText(type: RecordType): string {
  return `${JSON.stringify(JSON_SCHEMAS[type], null, 2)}\n`;
}

/** Source folder the schemas belong in; this file runs compiled from build/schemas/. */
export const DEFAULT_JSON_SCHEMA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../schemas/json');

/** Writes all schema files into `outDir`; returns the paths written. */
export function writeJsonSchemas(outDir: string = DEFAULT_JSON_SCHEMA_DIR): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const type of Object.keys(JSON_SCHEMAS) as RecordType[]) {
    const path = join(outDir, `${type}.schema.json`);
    writeFileSync(path, jsonSchemaFileText(type));
    written.push(path);
  }
  return written;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const path of writeJsonSchemas(process.argv[2])) console.log(`wrote ${path}`);
}
