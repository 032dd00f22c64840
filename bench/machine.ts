import { cpus, totalmem } from 'node:os';

/** One line describing the machine a benchmark ran on, for bench/RESULTS.md. */
export function describeMachine(): string {
  const cpu = cpus();
  const model = (cpu[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
  return `${cpu.length} × ${model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}
