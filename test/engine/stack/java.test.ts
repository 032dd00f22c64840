import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { findJava, javaMajor, listJavaRuntimes, parseJavaMajor } from '../../../engine/stack/java.js';
import { javaMajorFor } from '../../../engine/stack/questdb.js';

t.test('parseJavaMajor reads every version style', async (t) => {
  t.equal(parseJavaMajor('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime'), 17);
  t.equal(parseJavaMajor('openjdk version "25" 2025-09-16'), 25);
  t.equal(parseJavaMajor('openjdk version "25.0.1" 2025-10-21 LTS'), 25);
  t.equal(parseJavaMajor('java version "1.8.0_402"'), 8);
  t.equal(parseJavaMajor('openjdk version "21-ea" 2023-09-19'), 21);
  t.equal(parseJavaMajor('no java here'), undefined);
});

t.test('QuestDB 9.4 and later need Java 25, earlier 9.x Java 17', async (t) => {
  t.equal(javaMajorFor('9.3.4'), 17);
  t.equal(javaMajorFor('9.4.0'), 25);
  t.equal(javaMajorFor('10.0.0'), 25);
  t.equal(javaMajorFor('8.2.3'), 17);
});

/** A fake JDK whose `java -version` prints the given version to stderr, like the real one. */
function fakeJdk(root: string, name: string, version: string): string {
  const bin = join(root, name, 'bin');
  mkdirSync(bin, { recursive: true });
  const java = join(bin, 'java');
  writeFileSync(java, `#!/bin/sh\necho 'openjdk version "${version}" 2025-01-01' >&2\n`);
  chmodSync(java, 0o755);
  return join(root, name);
}

t.test('findJava: JAVA_HOME when recent enough, else the oldest sufficient runtime', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tickflow-java-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const jdk11 = fakeJdk(root, 'jdk11', '11.0.2');
  const jdk21 = fakeJdk(root, 'jdk21', '21.0.1');
  const jdk30 = fakeJdk(root, 'jdk30', '30');
  t.equal(javaMajor(join(jdk21, 'bin', 'java')), 21);
  t.equal(javaMajor(join(root, 'missing', 'java')), undefined);

  const jvmDir = join(root, 'jvm');
  fakeJdk(jvmDir, 'a-jdk-19', '19.0.2');
  const env = (home: string) => ({
    JAVA_HOME: home,
    PATH: [jdk30, jdk21].map((d) => join(d, 'bin')).join(':'),
  });
  const pick = findJava(17, env(jdk30), jvmDir);
  t.same([pick.java, pick.major, pick.source], [join(jdk30, 'bin', 'java'), 30, 'JAVA_HOME']);
  // JAVA_HOME too old: the oldest runtime that still satisfies 17 wins (PATH has 30 and 21, the JVM dir 19).
  const fallback = findJava(17, env(jdk11), jvmDir);
  t.same(
    [fallback.java, fallback.major, fallback.source],
    [join(jvmDir, 'a-jdk-19', 'bin', 'java'), 19, jvmDir],
  );
  const newer = findJava(25, env(jdk11), jvmDir);
  t.same([newer.major, newer.source], [30, 'PATH']);
  const listed = listJavaRuntimes(env(jdk30), jvmDir);
  t.same(
    listed.map((r) => r.major),
    [30, 21, 19],
    'JAVA_HOME and PATH both name jdk30: listed once',
  );
});

t.test('findJava names what it found when nothing is recent enough', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tickflow-java-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const jdk11 = fakeJdk(root, 'jdk11', '11.0.2');
  t.throws(() => findJava(99, { JAVA_HOME: jdk11, PATH: '' }, join(root, 'none')), {
    code: 'TF_ERR_STACK_JAVA_MISSING',
    message: new RegExp(`^QuestDB needs Java 99 or newer; found: ${join(jdk11, 'bin', 'java')} \\(11\\)`),
  });
});

t.test('this machine has a Java for the pinned QuestDB', async (t) => {
  const java = findJava(javaMajorFor('9.3.4'), process.env);
  t.ok(java.major >= 17, `${java.java} is Java ${java.major}`);
});
