/**
 * Public entry point of `schemas/`: what other folders may import. Anything
 * not listed here is internal to schemas/.
 */

export {
  DEFAULT_FRAME_LIMITS,
  type DecodeReason,
  type DecodeResult,
  decodePayload,
  encodeFrame,
  encodeRecord,
  type FrameLimits,
} from './codec.js';
export {
  hasErrorCode,
  type PlainError,
  TF_ERROR_CODES,
  TfError,
  type TfErrorCode,
  toPlainError,
} from './errors.js';
export {
  isValidSymbol,
  isValidVenue,
  MAX_SYMBOL_LENGTH,
  MAX_VENUE_LENGTH,
  type SymbolProblem,
  symbolProblem,
} from './identifiers.js';
export {
  ALERT_JSON_SCHEMA,
  CANDLE_JSON_SCHEMA,
  INDICATOR_JSON_SCHEMA,
  JSON_SCHEMAS,
  type JsonSchema,
  QUOTE_JSON_SCHEMA,
  TRADE_JSON_SCHEMA,
} from './json-schema.js';
export { encodeAlert, encodeCandle, encodeIndicator, encodeOutput } from './output-codec.js';
export { fnv32a, partitionOf } from './partition.js';
export {
  ALERT_COLUMNS,
  CANDLE_COLUMNS,
  INDICATOR_COLUMNS,
  indicatorColumnName,
  QDB_DEDUP_KEYS,
  QDB_TABLES,
  QUOTE_COLUMNS,
  type QuestDbDdlOptions,
  questDbDdl,
  questDbTableNames,
  TRADE_COLUMNS,
} from './questdb-ddl.js';
export { describeReason, REASON_CODES, REASON_OK, type ReasonCode } from './reasons.js';
export {
  ALERT_KINDS,
  type Alert,
  type AlertKind,
  type AnyRecord,
  type Candle,
  compareTradeIds,
  INTERVAL_MS,
  INTERVALS,
  type IndicatorSnapshot,
  type InputRecord,
  type Interval,
  type OutputRecord,
  type Quote,
  type RecordType,
  SCHEMA_VERSION,
  type SchemaVersion,
  SEVERITIES,
  type Severity,
  SIDES,
  type Side,
  type Trade,
} from './records.js';
export {
  type AlertSubject,
  alertFilter,
  alertSubject,
  candleFilter,
  candleSubject,
  DLQ_KINDS,
  type DlqKind,
  type DlqSubject,
  dlqFilter,
  dlqSubject,
  escapeSymbol,
  type InputKind,
  type InputSubject,
  type IntervalSubject,
  indicatorFilter,
  indicatorSubject,
  inputFilter,
  MAX_PARTITIONS,
  type OutputSelector,
  type ParsedSubject,
  parseSubject,
  partitionFilter,
  partitionMapping,
  quoteSubject,
  type SubjectMapping,
  type SubjectRejection,
  tradeSubject,
  unescapeSymbol,
  unescapeSymbolOrNull,
  unpartitionedQuoteSubject,
  unpartitionedTradeSubject,
} from './subjects.js';
export {
  MAX_ALERT_MESSAGE_LENGTH,
  MAX_FUTURE_MS,
  MAX_TRADE_ID_LENGTH,
  MIN_TIMESTAMP_MS,
  validateAlert,
  validateCandle,
  validateIndicator,
  validateQuote,
  validateRecord,
  validateTrade,
} from './validation.js';
