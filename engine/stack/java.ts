import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { StackError } from './errors.js';

/** Where Debian and the Temurin packages install JDKs. */
export const JVM_DIR = '/usr/lib/jvm';

/** A Java runtime found on this machine. */
export interface JavaRuntime {
  /** Path of the `java` executable. */
  java: string;
  /** Feature release: 17 for `17.0.15`, 8 for `1.8.0_402`, 25 for `25`. */
  major: number;
  /** Where it was found, for messages: `JAVA_HOME`, `PATH` or the JVM folder. */
  source: string;
}

/**
 * The feature release in `java -version` output (written to stderr), e.g. `openjdk version "17.0.15"`.
 * Undefined when no version string is present.
 */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "([0-9]+)(?:\.([0-9]+))?/.exec(versionOutput);
  if (match === null) return undefined;
  const first = Number(match[1]);
  // Java 8 and older report themselves as 1.x.
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs `java -version` and returns its major release, or undefined when it cannot be run. */
export function javaMajor(java: string): number | undefined {
  // -version prints to stderr (and some builds to stdout); read both.
  const result = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.error !== undefined) return undefined;
  return parseJavaMajor(`${result.stderr}\n${result.stdout}`);
}

function candidates(env: NodeJS.ProcessEnv, jvmDir: string): { java: string; source: string }[] {
  const out: { java: string; source: string }[] = [];
  const home = env['JAVA_HOME'];
  if (home !== undefined && home !== '') out.push({ java: join(home, 'bin', 'java'), source: 'JAVA_HOME' });
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '') out.push({ java: join(dir, 'java'), source: 'PATH' });
  }
  let entries: string[] = [];
  try {
    entries = readdirSync(jvmDir).sort();
  } catch {
    // no JVM folder on this machine
  }
  for (const entry of entries) out.push({ java: join(jvmDir, entry, 'bin', 'java'), source: jvmDir });
  return out;
}

/** Every distinct Java runtime reachable from JAVA_HOME, PATH and `jvmDir` (default {@link JVM_DIR}). */
export function listJavaRuntimes(
  env: NodeJS.ProcessEnv = process.env,
  jvmDir: string = JVM_DIR,
): JavaRuntime[] {
  const seen = new Set<string>();
  const found: JavaRuntime[] = [];
  for (const candidate of candidates(env, jvmDir)) {
    if (!isExecutable(candidate.java)) continue;
    let real: string;
    try {
      real = realpathSync(candidate.java);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    const major = javaMajor(candidate.java);
    if (major !== undefined) found.push({ java: candidate.java, major, source: candidate.source });
  }
  return found;
}

/**
 * Picks a Java runtime of at least `minMajor` without the user setting anything: JAVA_HOME when
 * it is recent enough, otherwise the oldest sufficient runtime on PATH or under {@link JVM_DIR}
 * (the closest to what the server was built for). Throws `TF_ERR_STACK_JAVA_MISSING` naming what was found.
 */
export function findJava(
  minMajor: number,
  env: NodeJS.ProcessEnv = process.env,
  jvmDir: string = JVM_DIR,
): JavaRuntime {
  const runtimes = listJavaRuntimes(env, jvmDir);
  let best: JavaRuntime | undefined;
  for (const runtime of runtimes) {
    if (runtime.major < minMajor) continue;
    if (runtime.source === 'JAVA_HOME') return runtime;
    if (best === undefined || runtime.major < best.major) best = runtime;
  }
  if (best !== undefined) return best;
  const seen = runtimes.map((r) => `${r.java} (${r.major})`).join(', ') || 'none';
  throw new StackError(
    'TF_ERR_STACK_JAVA_MISSING',
    `QuestDB needs Java ${minMajor} or newer; found: ${seen}. Install a JDK of that release under ${jvmDir} or set JAVA_HOME to one.`,
  );
}
