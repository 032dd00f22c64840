/**
 * The WebSocket protocol (docs/websocket-protocol.md): client operations,
 * server messages, their validation and their encoding. Text frames carry
 * JSON; binary frames carry standard MessagePack (no msgpackr extensions).
 * Parsing never throws: a bad frame becomes a {@link ProtocolError} the
 * server sends back as an `error` message.
 */

import { Packr, Unpackr } from 'msgpackr';
import type { AnyRecord } from '../schemas/index.js';
import { type Channel, parseChannel } from './channels.js';
import { parseSymbolSelector, type SymbolSelector } from './symbol-selector.js';
import type { WireFormat } from './topics.js';

/** Stable codes of `error` messages (and of HTTP refusals of the upgrade). Append only. */
export const PROTOCOL_ERROR_CODES = [
  'bad_json',
  'bad_msgpack',
  'bad_message',
  'unknown_op',
  'unknown_channel',
  'bad_symbol',
  'bad_format',
  'too_many_subscriptions',
  'rate_limited',
  'payload_too_large',
  'forbidden',
  'unauthorized',
  'too_many_connections',
  'origin_not_allowed',
] as const;

/** One of {@link PROTOCOL_ERROR_CODES}. */
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

/** A refused client message. `id` echoes the request id when one could be read. */
export interface ProtocolError {
  code: ProtocolErrorCode;
  message: string;
  id?: RequestId;
}

/** A client-chosen request id, echoed in the answer. */
export type RequestId = string | number;

/** `{op:'hello', format}`: switches the connection's wire format. */
export interface HelloOp {
  op: 'hello';
  id?: RequestId;
  format: WireFormat;
}

/** `{op:'subscribe'|'unsubscribe', channels, symbols}`: every channel for every selector. */
export interface SubscriptionOp {
  op: 'subscribe' | 'unsubscribe';
  id?: RequestId;
  channels: Channel[];
  symbols: SymbolSelector[];
}

/** `{op:'ping'}`: answered by `pong` with server time. */
export interface PingOp {
  op: 'ping';
  id?: RequestId;
}

/** Any valid client operation. */
export type ClientOp = HelloOp | SubscriptionOp | PingOp;

/** What {@link parseClientFrame} returns. */
export type ParseResult = { ok: true; op: ClientOp } | { ok: false; error: ProtocolError };

/** Most channels and most selectors in one subscribe or unsubscribe. */
export const MAX_LIST_LENGTH = 64;

/** One subscribed stream as listed in an `ack`. */
export interface StreamRef {
  channel: string;
  symbol: string;
}

/** Server messages. `symbol` is `venue:symbol`; `seq` counts per channel+symbol (see the protocol doc). */
export type ServerMessage =
  | { type: 'ack'; id?: RequestId; op: 'subscribe' | 'unsubscribe'; subscribed: StreamRef[] }
  | { type: 'ack'; id?: RequestId; op: 'hello'; format: WireFormat }
  | { type: 'snapshot'; channel: string; symbol: string; seq: number; data: AnyRecord[] }
  | { type: 'update'; channel: string; symbol: string; seq: number; data: AnyRecord }
  | { type: 'heartbeat'; ts: number }
  | { type: 'pong'; id?: RequestId; ts: number }
  | { type: 'error'; id?: RequestId; code: ProtocolErrorCode; message: string };

const packr = new Packr({ useRecords: false, moreTypes: false, structuredClone: false, useFloat32: 0 });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

/** Encodes a server message for a format: a string for JSON (text frame), bytes for msgpack (binary frame). */
export function encodeServerMessage(format: WireFormat, msg: ServerMessage): string | Uint8Array {
  return format === 'json' ? JSON.stringify(msg) : packr.pack(msg);
}

/** Decodes a server message (for clients and tests). Throws on bad input. */
export function decodeServerMessage(data: string | Uint8Array): ServerMessage {
  return (typeof data === 'string' ? JSON.parse(data) : unpackr.unpack(data)) as ServerMessage;
}

function fail(code: ProtocolErrorCode, message: string, id?: RequestId): ParseResult {
  return { ok: false, error: id === undefined ? { code, message } : { code, message, id } };
}

function readId(x: unknown): RequestId | undefined | null {
  if (x === undefined) return undefined;
  if (typeof x === 'string' && x.length <= 64) return x;
  if (typeof x === 'number' && Number.isSafeInteger(x)) return x;
  return null;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses one client frame: JSON when `isBinary` is false, MessagePack when
 * true. The bytes must already be a copy (uWS neuters its buffer on return).
 */
export function parseClientFrame(bytes: Uint8Array, isBinary: boolean): ParseResult {
  let value: unknown;
  if (isBinary) {
    try {
      value = unpackr.unpack(bytes);
    } catch {
      return fail('bad_msgpack', 'binary frame is not a MessagePack value');
    }
  } else {
    try {
      value = JSON.parse(textDecoder.decode(bytes));
    } catch {
      return fail('bad_json', 'text frame is not valid UTF-8 JSON');
    }
  }
  return parseClientValue(value);
}

/** Validates a decoded client message. */
export function parseClientValue(value: unknown): ParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('bad_message', 'a message must be an object with an op field');
  }
  const m = value as Record<string, unknown>;
  const id = readId(m['id']);
  if (id === null) return fail('bad_message', 'id must be a string of at most 64 characters or an integer');
  const op = m['op'];
  switch (op) {
    case 'ping':
      return { ok: true, op: id === undefined ? { op } : { op, id } };
    case 'hello': {
      const format = m['format'];
      if (format !== 'json' && format !== 'msgpack')
        return fail('bad_format', 'format must be json or msgpack', id);
      return { ok: true, op: id === undefined ? { op, format } : { op, id, format } };
    }
    case 'subscribe':
    case 'unsubscribe':
      return parseSubscription(op, m, id);
    default:
      return fail('unknown_op', 'op must be one of hello, subscribe, unsubscribe, ping', id);
  }
}

function parseSubscription(
  op: 'subscribe' | 'unsubscribe',
  m: Record<string, unknown>,
  id: RequestId | undefined,
): ParseResult {
  const rawChannels = m['channels'];
  const rawSymbols = m['symbols'];
  if (!Array.isArray(rawChannels) || rawChannels.length === 0 || rawChannels.length > MAX_LIST_LENGTH) {
    return fail('bad_message', `channels must be a list of 1 to ${MAX_LIST_LENGTH} channel names`, id);
  }
  if (!Array.isArray(rawSymbols) || rawSymbols.length === 0 || rawSymbols.length > MAX_LIST_LENGTH) {
    return fail('bad_message', `symbols must be a list of 1 to ${MAX_LIST_LENGTH} venue:symbol names`, id);
  }
  const channels: Channel[] = [];
  for (let i = 0; i < rawChannels.length; i++) {
    const c = parseChannel(rawChannels[i]);
    if (c === null) {
      return fail(
        'unknown_channel',
        `channel ${JSON.stringify(String(rawChannels[i]).slice(0, 40))} is not one of trades, quotes, alerts, candles:<interval>, indicators:<interval>`,
        id,
      );
    }
    channels.push(c);
  }
  const symbols: SymbolSelector[] = [];
  for (let i = 0; i < rawSymbols.length; i++) {
    const s = parseSymbolSelector(rawSymbols[i]);
    if (s === null) {
      return fail(
        'bad_symbol',
        `symbol ${JSON.stringify(String(rawSymbols[i]).slice(0, 80))} must be venue:symbol or venue:*`,
        id,
      );
    }
    symbols.push(s);
  }
  return { ok: true, op: id === undefined ? { op, channels, symbols } : { op, id, channels, symbols } };
}
