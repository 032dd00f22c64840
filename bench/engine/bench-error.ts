/** Stable codes for what can stop the engine benchmark; branch on `code`. */
export const BENCH_ENGINE_ERROR_CODES = [
  'TF_ERR_BENCH_TIMEOUT',
  'TF_ERR_BENCH_ENGINE_EXIT',
  'TF_ERR_BENCH_GATEWAY_EXIT',
  'TF_ERR_BENCH_PUBLISH',
  'TF_ERR_BENCH_WORKER',
] as const;

/** One of {@link BENCH_ENGINE_ERROR_CODES}. */
export type BenchEngineErrorCode = (typeof BENCH_ENGINE_ERROR_CODES)[number];

/** Error raised by bench/engine; `code` is stable, `message` is a sentence for a person. */
export class BenchEngineError extends Error {
  readonly code: BenchEngineErrorCode;

  constructor(code: BenchEngineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchEngineError';
    this.code = code;
  }
}
