import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { describeMachine } from './machine.js';

const PATH = new URL('../../bench/RESULTS.md', import.meta.url);

/**
 * Appends a dated result line under a benchmark's heading in bench/RESULTS.md
 * (creating the heading if needed), with the machine it ran on.
 */
export async function recordResult(heading: string, line: string): Promise<void> {
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const entry = `- ${date} UTC — ${line} — ${describeMachine()}\n`;
  let text = '';
  try {
    text = await readFile(PATH, 'utf8');
  } catch {
    text =
      '# Benchmark results\n\nEvery row is a real run, appended by the benchmark itself (`make bench`).\n';
  }
  const marker = `\n## ${heading}\n`;
  const at = text.indexOf(marker);
  if (at < 0) {
    await writeFile(PATH, `${text.trimEnd()}\n${marker}\n${entry}`);
    return;
  }
  const next = text.indexOf('\n## ', at + marker.length);
  if (next < 0) {
    await appendFile(PATH, text.endsWith('\n') ? entry : `\n${entry}`);
    return;
  }
  await writeFile(PATH, text.slice(0, next).trimEnd() + '\n' + entry + text.slice(next));
}
