import { BACKFILL_HELP, backfillCommand } from './backfill-command.js';
import { demoCommand } from './demo-command.js';
import { SAMPLE_HELP, sampleCommand } from './sample-command.js';

const HELP = `tickflow — market-data stream engine

Usage: tickflow <command> [options]     (tickflow <command> --help for its options)

Commands:
  demo        generate a market, run the actors over it, show candles, indicators and alerts
  backfill    compute candles and indicators from a trades file (CSV or NDJSON)
  sample      write a simulated trades file
`;

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  backfill: { run: backfillCommand, help: BACKFILL_HELP },
  sample: { run: sampleCommand, help: SAMPLE_HELP },
  demo: { run: demoCommand, help: '' },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`tickflow: unknown command '${name}'\n\n${HELP}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'TF_ERR_USAGE' || (e.code ?? '').startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`tickflow ${name}: ${e.message}\n`);
      return 2;
    }
    if (e.code === 'TF_ERR_BAD_INPUT_LINE' || e.code === 'ENOENT' || e.code === 'EACCES') {
      process.stderr.write(`tickflow ${name}: ${e.message}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
