/**
 * Groups consecutive records of one (kind, venue, symbol) into frames: standard MessagePack arrays
 * whose bytes equal `encodeFrame` of the same records. Each record is encoded once, when it
 * arrives, and copied into its lane's buffer, so a frame is cut exactly at the byte bound and
 * the caller may reuse the record object right after `add`.
 *
 * Every (kind, venue, symbol) has its own lane and its own deadline: a record of another symbol
 * never flushes a frame. Open lanes sit on an intrusive list in the order their frames opened,
 * which is deadline order, so expiring is a walk from the head with no allocation.
 */
import {
  encodeRecord,
  escapeSymbol,
  type InputKind,
  partitionOf,
  type Quote,
  quoteSubject,
  type Trade,
  tradeSubject,
} from '../../schemas/index.js';

/** One message ready to publish. */
export interface Frame {
  /** `md.<kind>.<venue>.<symbol token>.<partition>` */
  readonly subject: string;
  /**
   * JetStream de-duplication id, `<prefix>:<venue>:<symbol token>:<kind>:<first>-<last>` where
   * first/last are the records' `seq` when all have one, else `n<index of first record>+<count>`
   * counted per lane. The same records framed the same way always get the same id.
   */
  readonly msgId: string;
  /** A standard MessagePack map (unframed) or array of maps. */
  readonly payload: Uint8Array;
  /** Number of records in the payload. */
  readonly records: number;
  readonly kind: InputKind;
  readonly venue: string;
  readonly symbol: string;
  /** Publish attempts made so far; maintained by the publisher. */
  attempts: number;
}

/** Limits and naming of frames. */
export interface FramerOptions {
  partitions: number;
  /** 1 = unframed: each record is its own message, a bare map. */
  maxRecords: number;
  maxBytes: number;
  maxDelayMs: number;
  msgIdPrefix: string;
}

// Room for the largest array header a frame needs (0xdc + u16; frames hold at most 4096 records).
const HEADER_RESERVE = 3;
const INITIAL_LANE_BYTES = 512;

interface Lane {
  readonly kind: InputKind;
  readonly venue: string;
  readonly symbol: string;
  readonly subject: string;
  /** Message id up to and including the last `:`. */
  readonly idBase: string;
  buf: Uint8Array;
  /** Write position in `buf`; the frame's records are [HEADER_RESERVE, end). */
  end: number;
  count: number;
  allSeq: boolean;
  firstSeq: number;
  lastSeq: number;
  /** Records this lane has framed before the open frame. */
  index: number;
  deadline: number;
  open: boolean;
  prev: Lane | null;
  next: Lane | null;
}

/** Splits a record stream into per-symbol frames; emits each finished frame to `onFrame`. */
export class Framer {
  private readonly o: FramerOptions;
  private readonly onFrame: (frame: Frame) => void;
  private readonly trades = new Map<string, Map<string, Lane>>();
  private readonly quotes = new Map<string, Map<string, Lane>>();
  private last: Lane | null = null;
  private head: Lane | null = null;
  private tail: Lane | null = null;
  private openCount = 0;
  private openRecordCount = 0;

  constructor(options: FramerOptions, onFrame: (frame: Frame) => void) {
    this.o = options;
    this.onFrame = onFrame;
  }

  /** Frames currently open (holding at least one record). */
  get openFrames(): number {
    return this.openCount;
  }

  /** Records held in open frames. */
  get openRecords(): number {
    return this.openRecordCount;
  }

  /** Deadline of the oldest open frame, or Infinity when none is open. */
  get nextDeadline(): number {
    return this.head === null ? Number.POSITIVE_INFINITY : this.head.deadline;
  }

  /**
   * Adds a valid record (validate first: an invalid symbol throws `TF_ERR_BAD_SYMBOL`). Emits
   * the record's frame when it reaches the record or byte bound, and first emits the open frame
   * when this record would push it past the byte bound.
   */
  add(record: Trade | Quote, now: number): void {
    const lane = this.laneOf(record);
    const bytes = encodeRecord(record);
    const seq = record.seq;
    if (this.o.maxRecords === 1) {
      const id = seq === undefined ? `n${lane.index}+1` : `${seq}-${seq}`;
      lane.index++;
      this.onFrame(frameOf(lane, lane.idBase + id, bytes, 1));
      return;
    }
    const header = lane.count + 1 < 16 ? 1 : 3;
    if (lane.count > 0 && lane.end - HEADER_RESERVE + bytes.length + header > this.o.maxBytes)
      this.emit(lane);
    if (lane.count === 0) this.open(lane, now);
    const need = lane.end + bytes.length;
    if (need > lane.buf.length) {
      let size = lane.buf.length * 2;
      while (size < need) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(lane.buf.subarray(0, lane.end));
      lane.buf = grown;
    }
    lane.buf.set(bytes, lane.end);
    lane.end = need;
    if (seq === undefined) lane.allSeq = false;
    else {
      if (lane.count === 0) lane.firstSeq = seq;
      lane.lastSeq = seq;
    }
    lane.count++;
    this.openRecordCount++;
    if (lane.count >= this.o.maxRecords) this.emit(lane);
  }

  /** Emits every open frame whose deadline is at or before `now`, oldest first; returns how many. */
  expire(now: number): number {
    let n = 0;
    while (this.head !== null && this.head.deadline <= now) {
      this.emit(this.head);
      n++;
    }
    return n;
  }

  /** Emits every open frame, oldest first. */
  flushAll(): void {
    while (this.head !== null) this.emit(this.head);
  }

  private laneOf(r: Trade | Quote): Lane {
    const last = this.last;
    if (last !== null && last.symbol === r.symbol && last.venue === r.venue && last.kind === r.type)
      return last;
    const byKind = r.type === 'trade' ? this.trades : this.quotes;
    let byVenue = byKind.get(r.venue);
    if (byVenue === undefined) {
      byVenue = new Map();
      byKind.set(r.venue, byVenue);
    }
    let lane = byVenue.get(r.symbol);
    if (lane === undefined) {
      const token = escapeSymbol(r.symbol);
      const p = partitionOf(r.venue, token, this.o.partitions);
      lane = {
        kind: r.type,
        venue: r.venue,
        symbol: r.symbol,
        subject: r.type === 'trade' ? tradeSubject(r.venue, r.symbol, p) : quoteSubject(r.venue, r.symbol, p),
        idBase: `${this.o.msgIdPrefix}:${r.venue}:${token}:${r.type}:`,
        buf: new Uint8Array(this.o.maxRecords === 1 ? 0 : INITIAL_LANE_BYTES),
        end: HEADER_RESERVE,
        count: 0,
        allSeq: true,
        firstSeq: 0,
        lastSeq: 0,
        index: 0,
        deadline: 0,
        open: false,
        prev: null,
        next: null,
      };
      byVenue.set(r.symbol, lane);
    }
    this.last = lane;
    return lane;
  }

  private open(lane: Lane, now: number): void {
    lane.deadline = now + this.o.maxDelayMs;
    lane.open = true;
    lane.prev = this.tail;
    lane.next = null;
    if (this.tail === null) this.head = lane;
    else this.tail.next = lane;
    this.tail = lane;
    this.openCount++;
  }

  private emit(lane: Lane): void {
    const n = lane.count;
    let start: number;
    if (n < 16) {
      start = HEADER_RESERVE - 1;
      lane.buf[start] = 0x90 | n;
    } else {
      start = HEADER_RESERVE - 3;
      lane.buf[start] = 0xdc;
      lane.buf[start + 1] = n >> 8;
      lane.buf[start + 2] = n & 0xff;
    }
    // A copy, not a view: the lane buffer is refilled while this payload may still be retried.
    const payload = lane.buf.slice(start, lane.end);
    const id = lane.allSeq ? `${lane.firstSeq}-${lane.lastSeq}` : `n${lane.index}+${n}`;
    lane.index += n;
    lane.end = HEADER_RESERVE;
    lane.count = 0;
    lane.allSeq = true;
    this.unlink(lane);
    this.openRecordCount -= n;
    this.onFrame(frameOf(lane, lane.idBase + id, payload, n));
  }

  private unlink(lane: Lane): void {
    if (!lane.open) return;
    lane.open = false;
    if (lane.prev === null) this.head = lane.next;
    else lane.prev.next = lane.next;
    if (lane.next === null) this.tail = lane.prev;
    else lane.next.prev = lane.prev;
    lane.prev = null;
    lane.next = null;
    this.openCount--;
  }
}

function frameOf(lane: Lane, msgId: string, payload: Uint8Array, records: number): Frame {
  return {
    subject: lane.subject,
    msgId,
    payload,
    records,
    kind: lane.kind,
    venue: lane.venue,
    symbol: lane.symbol,
    attempts: 0,
  };
}
