/** `tickflow engine [options]`: see `tickflow engine --help` (generated from the option table). */
export async function engineCommand(argv: string[]): Promise<number> {
  // Loaded on demand so `tickflow backfill` does not pay for the NATS and QuestDB clients.
  const { runEngine } = await import('../engine/runtime/engine-main.js');
  return runEngine(argv);
}
