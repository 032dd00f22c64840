/**
 * Stable codes for configuration failures. Callers branch on `code`: an error
 * cloned across a worker boundary loses its class.
 */
export const CONFIG_ERROR_CODES = ['TF_ERR_BAD_CONFIG'] as const;

/** One of {@link CONFIG_ERROR_CODES}. */
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

/**
 * The engine configuration is unusable. `problems` lists every problem found,
 * one sentence each naming the key, where the value came from, the accepted
 * range and the value got; `message` joins them for a person.
 */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode = 'TF_ERR_BAD_CONFIG';
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    const head =
      problems.length === 1 ? '1 configuration problem' : `${problems.length} configuration problems`;
    super(`${head}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.name = 'ConfigError';
    this.problems = Object.freeze([...problems]);
  }
}
