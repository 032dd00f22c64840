/**
 * Public entry point of `engine/sink/`: QuestDB table setup and the per-shard writer.
 * Anything not listed here is internal to this folder.
 */

export { backoffDelay } from './backoff.js';
export { SINK_ERROR_CODES, SinkError, type SinkErrorCode } from './errors.js';
export { toMicros } from './ilp-encoder.js';
export { type FlushResult, QuestDbWriter, type SinkMetrics, type WriterState } from './questdb-writer.js';
export { emptyRowCounts, type TableRowCounts } from './row-buffer.js';
export { ensureTables, type TableSetupOptions, type TableSetupResult } from './table-setup.js';
export {
  type QuestDbWriterOptions,
  type ResolvedWriterOptions,
  resolveWriterOptions,
} from './writer-options.js';
