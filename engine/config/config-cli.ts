import type { EngineConfig } from './engine-config.js';
import { engineHelp } from './engine-help.js';
import type { LoadEngineConfigOptions } from './load-engine-config.js';
import { loadEngineConfig } from './load-engine-config.js';
import { META_FLAGS } from './option-table.js';

/** Where `runConfigCli` writes and how it ends the process; injected by tests. */
export interface ConfigCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  exit: (code: number) => void;
}

const PROCESS_IO: ConfigCliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/**
 * The config step of `tickflow engine`: with `--help` or `-h`, prints `engineHelp()` and exits 0;
 * otherwise loads the config and returns it, or prints every problem (one per line) and exits 2.
 * Returns undefined when it asked `io.exit` to end the process.
 */
export function runConfigCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  io: ConfigCliIo = PROCESS_IO,
  options: LoadEngineConfigOptions = {},
): EngineConfig | undefined {
  if (argv.includes(META_FLAGS.help) || argv.includes(META_FLAGS.helpAlias)) {
    io.stdout(engineHelp());
    io.exit(0);
    return undefined;
  }
  try {
    return loadEngineConfig(argv, env, options);
  } catch (err) {
    const e = err as { code?: unknown; problems?: unknown };
    if (e.code !== 'TF_ERR_BAD_CONFIG' || !Array.isArray(e.problems)) throw err;
    const problems = e.problems as string[];
    const head =
      problems.length === 1 ? '1 configuration problem' : `${problems.length} configuration problems`;
    let text = `tickflow engine: ${head} [TF_ERR_BAD_CONFIG]\n`;
    for (const p of problems) text += `  - ${p}\n`;
    io.stderr(`${text}Run tickflow engine --help for every option.\n`);
    io.exit(2);
    return undefined;
  }
}
