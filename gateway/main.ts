/**
 * Process entry of `tickflow gateway`: resolves options, starts the gateway
 * and runs until SIGINT or SIGTERM; `tickflow gateway keys …` manages API keys.
 */

import { runKeysCommand } from './keys-command.js';
import { optionsHelp, resolveGatewayOptions } from './options.js';
import { startGateway } from './server.js';

/** Help text of `tickflow gateway`. */
export const GATEWAY_HELP = `Usage: tickflow gateway [options]
       tickflow gateway keys <add|list|remove> [options]   (keys --help)

WebSocket pub/sub (/ws), REST history (/api/v1/*), /health, /ready, /metrics.
Protocol: docs/websocket-protocol.md. Flags win over environment variables.

Options (flag, environment variable, meaning and default):
${optionsHelp()}`;

/**
 * Runs the gateway command. Returns the exit code: 0 after a clean shutdown,
 * 2 for bad options, 1 when the gateway cannot start.
 */
export async function runGateway(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const out = {
    stdout: (t: string) => process.stdout.write(t),
    stderr: (t: string) => process.stderr.write(t),
  };
  if (argv[0] === 'keys') return runKeysCommand(argv.slice(1), env, out);
  if (argv.includes('--help') || argv.includes('-h')) {
    out.stdout(GATEWAY_HELP);
    return 0;
  }
  let resolved: ReturnType<typeof resolveGatewayOptions>;
  try {
    resolved = resolveGatewayOptions(argv, env);
  } catch (err) {
    out.stderr(`tickflow gateway: ${(err as Error).message}\n`);
    return 2;
  }
  if (resolved.positionals.length > 0) {
    out.stderr(`tickflow gateway: unexpected argument ${JSON.stringify(resolved.positionals[0])}\n`);
    return 2;
  }
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway(resolved.options);
  } catch (err) {
    out.stderr(`tickflow gateway: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await gateway.close();
  return 0;
}
