/**
 * Public entry point of engine/config: the engine's option table, defaults, loading from
 * file/env/flags with eager validation, and the generated `--help`.
 */
export { type ConfigCliIo, runConfigCli } from './config-cli.js';
export { currentHostFacts, defaultEngineConfig, defaultEngineId, type HostFacts } from './defaults.js';
export { didYouMean, editDistance } from './did-you-mean.js';
export {
  type EngineConfig,
  type EngineRuntimeConfig,
  LOG_LEVELS,
  type LogConfig,
  type LogLevel,
  type NatsConnectionConfig,
  type OpsHttpConfig,
  OUTPUT_KINDS,
  type OutputKind,
  type OutputsConfig,
  type QuestDbConfig,
  type StreamsConfig,
} from './engine-config.js';
export { engineHelp } from './engine-help.js';
export { CONFIG_ERROR_CODES, ConfigError, type ConfigErrorCode } from './errors.js';
export {
  FOREIGN_ENV_PREFIXES,
  type LoadEngineConfigOptions,
  loadEngineConfig,
  type ResolvedEngineConfig,
  resolveEngineConfig,
} from './load-engine-config.js';
export {
  CONFIG_FILE_ENV,
  CONFIG_SECTIONS,
  ENGINE_OPTIONS_TABLE,
  type EngineOption,
  META_FLAGS,
  type OptionKind,
  optionEnvName,
  optionFlag,
} from './option-table.js';
export { acceptedRange, splitIndicatorList } from './option-value.js';
