/**
 * Public entry point of `engine/outputs/`: output records and dead letters on NATS.
 * Anything not listed here is internal to this folder.
 */

export {
  type DeadLetterInput,
  type DeadLetterOptions,
  DeadLetters,
  type DeadLetterTarget,
  DLQ_HEADERS,
  deadLetterTarget,
} from './dead-letters.js';
export { OUTPUT_ERROR_CODES, OutputError, type OutputErrorCode } from './errors.js';
export {
  OUTPUT_KINDS,
  type OutputCounts,
  type OutputKind,
  OutputPublisher,
  type OutputPublisherOptions,
} from './output-publisher.js';
