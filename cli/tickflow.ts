import { backfillCommand } from './backfill-command.js';

import { engineCommand } from './engine-command.js';
import { feedCommand } from './feed-command.js';
import { gatewayCommand } from './gateway-command.js';
import { liveDemo } from './live-demo.js';
import { sampleCommand } from './sample-command.js';
import { simulateCommand } from './simulate-command.js';

const HELP = `tickflow — market-data stream engine

Usage: tickflow <command> [options]     (tickflow <command> --help for its options)

Commands:
  demo        start the local stack, the engine and a simulated feed; show live candles
  engine      run the stream engine (NATS JetStream -> actors -> QuestDB and NATS)
  gateway     run the WebSocket/REST gateway (and manage its API keys: gateway keys --help)
  feed        publish a feed into NATS: simulate | replay FILE | coinbase | binance
  backfill    compute candles and indicators from a trades file (CSV or NDJSON)
  sample      write a simulated trades file
  simulate    publish a simulated market (trades and quotes) into NATS JetStream
`;

/** Each command parses its own flags and prints its own `--help`. */
const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  backfill: backfillCommand,
  sample: sampleCommand,
  simulate: simulateCommand,
  demo: liveDemo,
  engine: engineCommand,
  gateway: gatewayCommand,
  feed: feedCommand,
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
    return await command(rest);
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
