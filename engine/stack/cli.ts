#!/usr/bin/env node
/**
 * `node build/engine/stack/cli.js <up|down|status> [flags]`: the project's own NATS and QuestDB for
 * `make up`, `make down` and `make demo`. Flags and TICKFLOW_* variables are listed by `--help`.
 * Exit codes: 0 done, 1 failure, 2 bad usage or option, 3 (`status`) not everything is running.
 */
import { StackError } from './errors.js';
import { stackDown, stackStatus, stackUp } from './local-stack.js';
import {
  parseStackFlags,
  resolveStackOptions,
  STACK_DEFAULT_PORTS,
  STACK_OPTION_SOURCES,
} from './options.js';

const USAGE_LINES = [
  'usage: node build/engine/stack/cli.js <up|down|status> [flags]',
  '  up      start nats-server (JetStream) and QuestDB unless already running',
  '  down    stop them (SIGTERM, then SIGKILL after a grace period)',
  '  status  show what runs; exit 3 unless both run',
  'flags (environment variable in brackets):',
];
for (const [key, source] of Object.entries(STACK_OPTION_SOURCES)) {
  const fallback = (STACK_DEFAULT_PORTS as Record<string, number>)[key];
  USAGE_LINES.push(
    `  ${source.flag.padEnd(20)} [${source.env}]${fallback === undefined ? '' : ` default ${fallback}`}`,
  );
}
const USAGE = USAGE_LINES.join('\n');

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  const options = resolveStackOptions(parseStackFlags(rest));
  switch (command) {
    case 'up':
      await stackUp(options, log);
      return 0;
    case 'down':
      await stackDown(options, log);
      return 0;
    case 'status': {
      let all = true;
      for (const s of await stackStatus(options)) {
        const ports = Object.entries(s.ports)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        if (s.running) {
          log(`${s.name}: running, pid ${s.pid}, ${ports}, ${s.answering ? 'answering' : 'NOT answering'}`);
        } else {
          log(`${s.name}: stopped (${ports})`);
        }
        all &&= s.running && s.answering === true;
      }
      return all ? 0 : 3;
    }
    default:
      process.stderr.write(`unknown command ${JSON.stringify(command)}\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof StackError) {
      process.stderr.write(`tickflow stack: ${err.message} [${err.code}]\n`);
      process.exitCode = err.code === 'TF_ERR_STACK_OPTION' ? 2 : 1;
      return;
    }
    process.stderr.write(
      `tickflow stack: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
