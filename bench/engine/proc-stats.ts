/**
 * What Linux says about a process in /proc/<pid>: resident memory (status) and CPU time
 * (stat), for benchmarks that watch the engine, the gateway and the servers from outside.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A `Vm…:  1234 kB` field of /proc/<pid>/status, in bytes; 0 when absent. */
export function statusBytes(text: string, field: string): number {
  const at = text.indexOf(`${field}:`);
  if (at < 0) return 0;
  return Number.parseInt(text.slice(at + field.length + 1), 10) * 1024;
}

/** Resident set now and its high-water mark, bytes; null once the process is gone. */
export function readMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: statusBytes(text, 'VmRSS'), hwm: statusBytes(text, 'VmHWM') };
  } catch {
    return null;
  }
}

let ticksPerSecond = 0;

/** USER_HZ, the unit of utime and stime (100 on every common Linux build). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === 0) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * User + system CPU seconds of every thread of the process so far (utime + stime, fields 14 and
 * 15 of /proc/<pid>/stat); null once the process is gone.
 */
export function readCpuSeconds(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return (utime + stime) / clockTicksPerSecond();
}
