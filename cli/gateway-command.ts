/** `tickflow gateway [options]` and `tickflow gateway keys …`: see `tickflow gateway --help`. */
export async function gatewayCommand(argv: string[]): Promise<number> {
  // Loaded on demand: the native uWebSockets.js binary is only needed by this command.
  const { runGateway } = await import('../gateway/main.js');
  return runGateway(argv, process.env);
}
