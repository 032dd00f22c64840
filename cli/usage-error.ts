/** A command-line mistake: printed as one sentence, exit code 2. */
export class UsageError extends Error {
  readonly code = 'TF_ERR_USAGE';
}
