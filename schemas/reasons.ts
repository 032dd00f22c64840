/**
 * Reason codes: why a payload, a record or a subject was refused. They label
 * dead letters and metrics, so they are stable strings; append, never rename.
 * `ok` is the success value of every validator.
 */
export const REASON_CODES = [
  'ok',
  'undecodable',
  'trailing_bytes',
  'not_an_object',
  'empty_frame',
  'frame_too_large',
  'frame_mixed_symbols',
  'bad_schema_version',
  'bad_type',
  'bad_venue',
  'bad_symbol',
  'bad_price',
  'bad_size',
  'bad_side',
  'bad_trade_id',
  'bad_timestamp',
  'bad_seq',
  'bad_quote',
  'bad_interval',
  'bad_candle',
  'bad_closed',
  'bad_revision',
  'bad_indicator_values',
  'bad_alert_kind',
  'bad_severity',
  'bad_alert_value',
  'bad_alert_message',
  'bad_subject',
  'bad_partition',
] as const;

/** One of {@link REASON_CODES}. */
export type ReasonCode = (typeof REASON_CODES)[number];

/** The success value of every validator. */
export const REASON_OK = 'ok' satisfies ReasonCode;

const DESCRIPTIONS: Readonly<Record<ReasonCode, string>> = {
  ok: 'The input is valid.',
  undecodable: 'The payload is not valid MessagePack.',
  trailing_bytes: 'The payload holds bytes after its one top-level MessagePack value.',
  not_an_object: 'A record is not a MessagePack map (a frame must be an array of maps).',
  empty_frame: 'The frame is an empty array.',
  frame_too_large: 'The payload exceeds the frame size limit in bytes or in records.',
  frame_mixed_symbols: 'The records of one frame do not all have the same venue and symbol.',
  bad_schema_version: 'The record field `v` is not a schema version this build reads.',
  bad_type: 'The record field `type` is missing or names another kind of record.',
  bad_venue: 'The venue is not 1-32 characters of a-z, 0-9, _ or -, starting with a letter or digit.',
  bad_symbol:
    'The symbol is empty, longer than 64 UTF-16 code units, or holds a control character or a lone surrogate.',
  bad_price: 'A price is not a finite number greater than 0.',
  bad_size: 'A size or volume is negative or not a finite number.',
  bad_side: 'The side is not one of buy, sell or unknown.',
  bad_trade_id: 'The trade id is not a string of 1 to 128 characters.',
  bad_timestamp:
    'A timestamp is not a finite number of epoch milliseconds between 2000-01-01 and one day after now.',
  bad_seq: 'The sequence number is present but not a non-negative safe integer.',
  bad_quote: 'A quote price or size is negative or not a finite number.',
  bad_interval: 'The interval is not one tickflow knows.',
  bad_candle:
    'The candle is inconsistent: misaligned start or end, high/low not bounding open/close, bad counts or trade times.',
  bad_closed: 'The field `closed` is not a boolean.',
  bad_revision: 'The revision is not a non-negative safe integer.',
  bad_indicator_values: 'The indicator values are not a map of names to finite numbers or null.',
  bad_alert_kind: 'The alert kind is not one tickflow knows.',
  bad_severity: 'The alert severity is not info, warning or critical.',
  bad_alert_value: 'The alert value or threshold is not a finite number.',
  bad_alert_message: 'The alert message is not a string of at most 1024 characters.',
  bad_subject: 'The subject does not have the shape of any tickflow subject.',
  bad_partition: 'The partition token is not a decimal integer without leading zeros below 2^31.',
};

/** One sentence for people (logs, dead-letter headers, dashboards) explaining a reason code. */
export function describeReason(code: ReasonCode): string {
  return DESCRIPTIONS[code];
}
