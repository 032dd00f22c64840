import type { DestinationStream, Logger } from 'pino';
import { pino } from 'pino';
import type { LogLevel } from '../config/index.js';

/** What `createLogger` needs from the engine config. */
export interface LoggerConfig {
  log: { level: LogLevel };
}

/** An engine logger: pino JSON lines carrying `component`; shard loggers add `shard`. */
export type EngineLogger = Logger;

/**
 * A pino JSON logger whose every line carries `component` (default `engine`). `destination` defaults
 * to stdout; tests pass a stream to read the lines back.
 */
export function createLogger(
  config: LoggerConfig,
  component = 'engine',
  destination?: DestinationStream,
): EngineLogger {
  const options = { level: config.log.level, base: { component } };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/** A child logger whose lines also carry `shard`. */
export function shardLogger(logger: EngineLogger, shard: number): EngineLogger {
  return logger.child({ shard });
}
