// Prints the closing `N passed, N failed` line from a tap run's own summary.
// tap ends with `# { total: T, pass: P, fail: F, skip: S, todo: D }` (keys
// with zero counts are omitted); a run that crashed before printing it counts
// as one failure so CI can never report green on a run that did not finish.
import { readFileSync } from 'node:fs';

const log = readFileSync(process.argv[2], 'utf8');
const matches = [...log.matchAll(/^# \{ total: (\d+)(.*)\}\s*$/gm)];
const last = matches.at(-1);
if (!last) {
  console.log('0 passed, 1 failed');
  process.exit(0);
}
const fields = Object.fromEntries([...last[2].matchAll(/(\w+): (\d+)/g)].map((m) => [m[1], Number(m[2])]));
const passed = fields.pass ?? 0;
const failed = fields.fail ?? 0;
const skipped = (fields.skip ?? 0) + (fields.todo ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
