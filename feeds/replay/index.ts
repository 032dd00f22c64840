/**
 * Public entry point of `feeds/replay/`: file formats, the replay loop and its JetStream wiring.
 */
export { BINANCE_TRADES_HEADER, BinanceTradesCsvParser, MICROS_THRESHOLD } from './binance-trades-csv.js';
export { REPLAY_ERROR_CODES, ReplayError, type ReplayErrorCode } from './errors.js';
export { detectFormat } from './format-detection.js';
export { type LineParser, REPLAY_FORMATS, type ReplayFormat } from './line-parser.js';
export { NdjsonRecordParser } from './ndjson-records.js';
export {
  parserFor,
  type RecordSink,
  type ReplayClock,
  type ReplayOptions,
  type ReplayProgress,
  type ReplaySummary,
  replayFile,
} from './replay.js';
export { type RunReplayOptions, type RunReplaySummary, runReplay } from './run-replay.js';
export { TARDIS_TRADES_HEADER, TardisTradesCsvParser } from './tardis-trades-csv.js';
