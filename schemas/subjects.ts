/**
 * NATS subject names. Symbols are escaped into subject-safe tokens: the
 * characters `A-Z a-z 0-9 _ -` stay as they are and every other character
 * becomes `~` plus two upper-case hex digits per UTF-8 byte, so `BTC/USDT` is
 * `BTC~2FUSDT`, `BRK.B` is `BRK~2EB`, `ES Z6` is `ES~20Z6` and `~` is `~7E`.
 * The form is canonical (exactly one token per symbol), so tokens can be
 * compared, hashed for partitions and unescaped without ambiguity.
 *
 * Subjects:
 * - `md.trade.<venue>.<sym>.<p>`, `md.quote.<venue>.<sym>.<p>` (inputs, partitioned)
 * - `md.trade.<venue>.<sym>`, `md.quote.<venue>.<sym>` (inputs before the server adds `<p>`)
 * - `md.candle.<interval>.<venue>.<sym>`, `md.indicator.<interval>.<venue>.<sym>`, `md.alert.<venue>.<sym>`
 * - `md.dlq.<kind>.<p>` (dead letters)
 */

import { TfError } from './errors.js';
import { isValidVenue, symbolProblem } from './identifiers.js';
import type { ReasonCode } from './reasons.js';
import { INTERVAL_MS, type InputRecord, type Interval } from './records.js';

/** Kinds of input record, each with its own partitioned subject space. */
export type InputKind = InputRecord['type'];

/** Kinds of dead letter; the kind of input the bad message arrived as. */
export const DLQ_KINDS = ['trade', 'quote'] as const;

/** One of {@link DLQ_KINDS}. */
export type DlqKind = (typeof DLQ_KINDS)[number];

/** Partition numbers are at most this (exclusive), matching the int32 NATS uses for P. */
export const MAX_PARTITIONS = 2 ** 31;

const HEX = '0123456789ABCDEF';

// Escaping runs once per published message; symbols repeat, so a bounded cache
// turns it into one Map lookup. Eviction is oldest-first, which is enough for
// a working set that changes slowly.
const ESCAPE_CACHE_LIMIT = 16_384;
const escapeCache = new Map<string, string>();

function isSafeChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}

function pushByte(out: string, b: number): string {
  return out + '~' + HEX[b >> 4] + HEX[b & 15];
}

function escapeUnchecked(symbol: string): string {
  let i = 0;
  while (i < symbol.length && isSafeChar(symbol.charCodeAt(i))) i++;
  if (i === symbol.length) return symbol;
  let out = symbol.slice(0, i);
  for (; i < symbol.length; i++) {
    const c = symbol.charCodeAt(i);
    if (isSafeChar(c)) {
      out += symbol[i];
    } else if (c < 0x80) {
      out = pushByte(out, c);
    } else if (c < 0x800) {
      out = pushByte(out, 0xc0 | (c >> 6));
      out = pushByte(out, 0x80 | (c & 0x3f));
    } else if (c >= 0xd800 && c <= 0xdbff) {
      // Validated beforehand: a high surrogate is always followed by a low one.
      const cp = 0x10000 + ((c - 0xd800) << 10) + (symbol.charCodeAt(++i) - 0xdc00);
      out = pushByte(out, 0xf0 | (cp >> 18));
      out = pushByte(out, 0x80 | ((cp >> 12) & 0x3f));
      out = pushByte(out, 0x80 | ((cp >> 6) & 0x3f));
      out = pushByte(out, 0x80 | (cp & 0x3f));
    } else {
      out = pushByte(out, 0xe0 | (c >> 12));
      out = pushByte(out, 0x80 | ((c >> 6) & 0x3f));
      out = pushByte(out, 0x80 | (c & 0x3f));
    }
  }
  return out;
}

/**
 * Escapes a venue symbol into its subject token (see the module comment).
 * Throws `TF_ERR_BAD_SYMBOL` for a symbol that cannot be made safe: empty,
 * longer than 64 UTF-16 code units, holding a control character or a lone surrogate.
 */
export function escapeSymbol(symbol: string): string {
  const hit = escapeCache.get(symbol);
  if (hit !== undefined) return hit;
  const problem = symbolProblem(symbol);
  if (problem !== 'ok') {
    throw new TfError('TF_ERR_BAD_SYMBOL', `symbol ${JSON.stringify(symbol)} cannot be used: ${problem}`);
  }
  const token = escapeUnchecked(symbol);
  if (escapeCache.size >= ESCAPE_CACHE_LIMIT) {
    const oldest = escapeCache.keys().next().value;
    if (oldest !== undefined) escapeCache.delete(oldest);
  }
  escapeCache.set(symbol, token);
  return token;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Byte value of the escape `~XX` at `i`, or -1 when there is none. */
function escapedByteAt(token: string, i: number): number {
  if (i + 2 >= token.length || token.charCodeAt(i) !== 126) return -1;
  const hi = hexValue(token.charCodeAt(i + 1));
  const lo = hexValue(token.charCodeAt(i + 2));
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
}

/**
 * Reverses {@link escapeSymbol}; returns null for a token that escapeSymbol
 * cannot have produced (bad or lower-case hex, escaped safe characters,
 * invalid or overlong UTF-8, unsafe characters left unescaped, or a decoded
 * symbol that is itself refused).
 */
export function unescapeSymbolOrNull(token: string): string | null {
  let out = '';
  let i = 0;
  const n = token.length;
  if (n === 0) return null;
  while (i < n) {
    const c = token.charCodeAt(i);
    if (isSafeChar(c)) {
      out += token[i];
      i++;
      continue;
    }
    const b0 = escapedByteAt(token, i);
    if (b0 < 0) return null;
    let need: number;
    let cp: number;
    let min: number;
    if (b0 < 0x80) {
      if (isSafeChar(b0)) return null;
      need = 0;
      cp = b0;
      min = 0;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      need = 1;
      cp = b0 & 0x1f;
      min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      cp = b0 & 0x0f;
      min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      cp = b0 & 0x07;
      min = 0x10000;
    } else {
      return null;
    }
    i += 3;
    for (let k = 0; k < need; k++) {
      const b = escapedByteAt(token, i);
      if (b < 0x80 || b > 0xbf) return null;
      cp = (cp << 6) | (b & 0x3f);
      i += 3;
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
    out += String.fromCodePoint(cp);
  }
  return symbolProblem(out) === 'ok' ? out : null;
}

/** Reverses {@link escapeSymbol}; throws `TF_ERR_BAD_SUBJECT` for a token it cannot have produced. */
export function unescapeSymbol(token: string): string {
  const symbol = unescapeSymbolOrNull(token);
  if (symbol === null) {
    throw new TfError('TF_ERR_BAD_SUBJECT', `${JSON.stringify(token)} is not an escaped symbol token`);
  }
  return symbol;
}

function venueToken(venue: string): string {
  if (!isValidVenue(venue)) {
    throw new TfError(
      'TF_ERR_BAD_VENUE',
      `venue ${JSON.stringify(venue)} must be 1-32 characters of a-z, 0-9, _ or -, starting with a letter or digit`,
    );
  }
  return venue;
}

function partitionToken(partition: number): number {
  if (!Number.isInteger(partition) || partition < 0 || partition >= MAX_PARTITIONS) {
    throw new TfError('TF_ERR_BAD_PARTITION', `partition ${partition} must be an integer in [0, 2^31)`);
  }
  return partition;
}

function intervalToken(interval: Interval): Interval {
  if (typeof interval !== 'string' || !Object.hasOwn(INTERVAL_MS, interval)) {
    throw new TfError(
      'TF_ERR_BAD_INTERVAL',
      `interval ${JSON.stringify(interval)} is not one tickflow knows`,
    );
  }
  return interval;
}

/** `md.trade.<venue>.<sym>.<partition>`: where our publishers put a trade. */
export function tradeSubject(venue: string, symbol: string, partition: number): string {
  return `md.trade.${venueToken(venue)}.${escapeSymbol(symbol)}.${partitionToken(partition)}`;
}

/** `md.quote.<venue>.<sym>.<partition>`: where our publishers put a quote. */
export function quoteSubject(venue: string, symbol: string, partition: number): string {
  return `md.quote.${venueToken(venue)}.${escapeSymbol(symbol)}.${partitionToken(partition)}`;
}

/**
 * `md.trade.<venue>.<sym>`: for producers that let the NATS server append the
 * partition token with the mapping from {@link partitionMapping}.
 */
export function unpartitionedTradeSubject(venue: string, symbol: string): string {
  return `md.trade.${venueToken(venue)}.${escapeSymbol(symbol)}`;
}

/** `md.quote.<venue>.<sym>`: the quote counterpart of {@link unpartitionedTradeSubject}. */
export function unpartitionedQuoteSubject(venue: string, symbol: string): string {
  return `md.quote.${venueToken(venue)}.${escapeSymbol(symbol)}`;
}

/** `md.candle.<interval>.<venue>.<sym>`: candle updates for consumers. */
export function candleSubject(interval: Interval, venue: string, symbol: string): string {
  return `md.candle.${intervalToken(interval)}.${venueToken(venue)}.${escapeSymbol(symbol)}`;
}

/** `md.indicator.<interval>.<venue>.<sym>`: indicator snapshots for consumers. */
export function indicatorSubject(interval: Interval, venue: string, symbol: string): string {
  return `md.indicator.${intervalToken(interval)}.${venueToken(venue)}.${escapeSymbol(symbol)}`;
}

/** `md.alert.<venue>.<sym>`: anomaly alerts for consumers. */
export function alertSubject(venue: string, symbol: string): string {
  return `md.alert.${venueToken(venue)}.${escapeSymbol(symbol)}`;
}

/** `md.dlq.<kind>.<partition>`: dead letters of one input kind and partition. */
export function dlqSubject(kind: DlqKind, partition: number): string {
  return `md.dlq.${dlqKindToken(kind)}.${partitionToken(partition)}`;
}

function dlqKindToken(kind: DlqKind): DlqKind {
  if (kind !== 'trade' && kind !== 'quote') {
    throw new TfError(
      'TF_ERR_BAD_SUBJECT',
      `dead-letter kind ${JSON.stringify(kind)} is not one of trade, quote`,
    );
  }
  return kind;
}

/** `md.<kind>.*.*.<p>`: every input of one kind in partition `p` (one durable consumer each). */
export function partitionFilter(kind: InputKind, partition: number): string {
  return `md.${inputKindToken(kind)}.*.*.${partitionToken(partition)}`;
}

/** `md.<kind>.*.*.*`: every partitioned input of one kind (the subjects of its JetStream stream). */
export function inputFilter(kind: InputKind): string {
  return `md.${inputKindToken(kind)}.*.*.*`;
}

/** What output filters select; an omitted field matches everything. */
export interface OutputSelector {
  interval?: Interval;
  venue?: string;
  symbol?: string;
}

/** `md.candle.<interval|*>.<venue|*>.<sym|*>`. */
export function candleFilter(sel: OutputSelector = {}): string {
  return `md.candle.${selectorTokens(sel, true)}`;
}

/** `md.indicator.<interval|*>.<venue|*>.<sym|*>`. */
export function indicatorFilter(sel: OutputSelector = {}): string {
  return `md.indicator.${selectorTokens(sel, true)}`;
}

/** `md.alert.<venue|*>.<sym|*>`; `sel.interval` must be absent. */
export function alertFilter(sel: Omit<OutputSelector, 'interval'> = {}): string {
  return `md.alert.${selectorTokens(sel, false)}`;
}

/** `md.dlq.<kind|*>.*`: dead letters of one kind, or of all. */
export function dlqFilter(kind?: DlqKind): string {
  return kind === undefined ? 'md.dlq.*.*' : `md.dlq.${dlqKindToken(kind)}.*`;
}

/** A NATS server subject mapping, as written in the server config `mappings` block. */
export interface SubjectMapping {
  source: string;
  destination: string;
}

/**
 * The server mapping that appends the partition token to unpartitioned input
 * subjects: `md.<kind>.*.*` -> `md.<kind>.{{wildcard(1)}}.{{wildcard(2)}}.{{partition(P,1,2)}}`.
 * It gives the same subject as our publishers (see `partitionOf`).
 */
export function partitionMapping(kind: InputKind, partitions: number): SubjectMapping {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions >= MAX_PARTITIONS) {
    throw new TfError(
      'TF_ERR_BAD_PARTITION',
      `partition count ${partitions} must be an integer in [1, 2^31)`,
    );
  }
  const k = inputKindToken(kind);
  return {
    source: `md.${k}.*.*`,
    destination: `md.${k}.{{wildcard(1)}}.{{wildcard(2)}}.{{partition(${partitions},1,2)}}`,
  };
}

function inputKindToken(kind: InputKind): InputKind {
  if (kind !== 'trade' && kind !== 'quote') {
    throw new TfError('TF_ERR_BAD_SUBJECT', `input kind ${JSON.stringify(kind)} is not one of trade, quote`);
  }
  return kind;
}

function selectorTokens(sel: OutputSelector, withInterval: boolean): string {
  const v = sel.venue === undefined ? '*' : venueToken(sel.venue);
  const s = sel.symbol === undefined ? '*' : escapeSymbol(sel.symbol);
  if (!withInterval) {
    if (sel.interval !== undefined) {
      throw new TfError('TF_ERR_BAD_SUBJECT', 'alert subjects have no interval token');
    }
    return `${v}.${s}`;
  }
  const i = sel.interval === undefined ? '*' : intervalToken(sel.interval);
  return `${i}.${v}.${s}`;
}

/** A parsed input subject; `partition` is null on an unpartitioned one. */
export interface InputSubject {
  ok: true;
  kind: InputKind;
  venue: string;
  symbol: string;
  /** The escaped symbol token as it appears in the subject. */
  symbolToken: string;
  partition: number | null;
}

/** A parsed candle or indicator subject. */
export interface IntervalSubject {
  ok: true;
  kind: 'candle' | 'indicator';
  interval: Interval;
  venue: string;
  symbol: string;
  symbolToken: string;
}

/** A parsed alert subject. */
export interface AlertSubject {
  ok: true;
  kind: 'alert';
  venue: string;
  symbol: string;
  symbolToken: string;
}

/** A parsed dead-letter subject. */
export interface DlqSubject {
  ok: true;
  kind: 'dlq';
  dlqKind: DlqKind;
  partition: number;
}

/** Why a subject was refused: `bad_subject`, `bad_venue`, `bad_symbol`, `bad_interval` or `bad_partition`. */
export interface SubjectRejection {
  ok: false;
  reason: ReasonCode;
}

/** What {@link parseSubject} returns. */
export type ParsedSubject = InputSubject | IntervalSubject | AlertSubject | DlqSubject | SubjectRejection;

function parsePartition(token: string): number {
  const n = token.length;
  if (n === 0 || n > 10 || (n > 1 && token.charCodeAt(0) === 48)) return -1;
  let p = 0;
  for (let i = 0; i < n; i++) {
    const c = token.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    p = p * 10 + (c - 48);
  }
  return p < MAX_PARTITIONS ? p : -1;
}

/**
 * Parses any tickflow subject (not a filter) into its parts, unescaping the
 * symbol. Never throws; refusals carry a reason code.
 */
export function parseSubject(subject: string): ParsedSubject {
  if (typeof subject !== 'string') return { ok: false, reason: 'bad_subject' };
  const t = subject.split('.');
  if (t.length < 4 || t[0] !== 'md') return { ok: false, reason: 'bad_subject' };
  const kind = t[1];
  if (kind === 'trade' || kind === 'quote') {
    if (t.length !== 4 && t.length !== 5) return { ok: false, reason: 'bad_subject' };
    const venue = t[2]!;
    const symbolToken = t[3]!;
    if (!isValidVenue(venue)) return { ok: false, reason: 'bad_venue' };
    const symbol = unescapeSymbolOrNull(symbolToken);
    if (symbol === null) return { ok: false, reason: 'bad_symbol' };
    let partition: number | null = null;
    if (t.length === 5) {
      partition = parsePartition(t[4]!);
      if (partition < 0) return { ok: false, reason: 'bad_partition' };
    }
    return { ok: true, kind, venue, symbol, symbolToken, partition };
  }
  if (kind === 'candle' || kind === 'indicator') {
    if (t.length !== 5) return { ok: false, reason: 'bad_subject' };
    const interval = t[2]!;
    if (!Object.hasOwn(INTERVAL_MS, interval)) return { ok: false, reason: 'bad_interval' };
    const venue = t[3]!;
    const symbolToken = t[4]!;
    if (!isValidVenue(venue)) return { ok: false, reason: 'bad_venue' };
    const symbol = unescapeSymbolOrNull(symbolToken);
    if (symbol === null) return { ok: false, reason: 'bad_symbol' };
    return { ok: true, kind, interval: interval as Interval, venue, symbol, symbolToken };
  }
  if (kind === 'alert') {
    if (t.length !== 4) return { ok: false, reason: 'bad_subject' };
    const venue = t[2]!;
    const symbolToken = t[3]!;
    if (!isValidVenue(venue)) return { ok: false, reason: 'bad_venue' };
    const symbol = unescapeSymbolOrNull(symbolToken);
    if (symbol === null) return { ok: false, reason: 'bad_symbol' };
    return { ok: true, kind, venue, symbol, symbolToken };
  }
  if (kind === 'dlq') {
    if (t.length !== 4) return { ok: false, reason: 'bad_subject' };
    const dlqKind = t[2];
    if (dlqKind !== 'trade' && dlqKind !== 'quote') return { ok: false, reason: 'bad_subject' };
    const partition = parsePartition(t[3]!);
    if (partition < 0) return { ok: false, reason: 'bad_partition' };
    return { ok: true, kind: 'dlq', dlqKind, partition };
  }
  return { ok: false, reason: 'bad_subject' };
}
