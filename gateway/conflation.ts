/**
 * Slow-client handling. uWS `publish` writes to every subscriber of a topic,
 * so a client cannot be skipped message by message; instead, when a socket's
 * buffered bytes pass the soft limit, it is unsubscribed from its stream topics
 * (heartbeats stay) and registered here per topic. While it is slow, the
 * fan-out offers each update to it: candles and indicators keep only the
 * latest message per stream (conflation), alerts queue up to a bound, trades
 * and quotes are dropped and counted (the client sees the gap in `seq`). When
 * uWS reports `drain` and the buffer is below half the soft limit, the held
 * messages are sent and the socket is resubscribed. A socket whose buffer
 * passes the hard limit, or that stays slow too long, is closed with 4008.
 * Other clients never wait for it: publish never blocks, and a slow socket
 * costs one map write per update it holds.
 */

import type { WebSocket } from '@trufflesuite/uws-js-unofficial';
import type { ChannelKind } from './channels.js';
import type { GatewayMetrics } from './metrics.js';
import type { HeldMessage, Session } from './session.js';

/** Close code for a client that could not keep up. */
export const SLOW_CLIENT_CLOSE_CODE = 4008;

/** Alerts held per slow client before the oldest are dropped. */
export const MAX_HELD_ALERTS = 64;

/** Limits of the slow-client policy. */
export interface ConflationLimits {
  softBytes: number;
  hardBytes: number;
  /** A client slow for longer than this is closed. */
  maxSlowMs: number;
}

type Socket = WebSocket<Session>;

/** Slow sockets by topic, and the transitions into and out of slow mode. */
export class Conflator {
  readonly #limits: ConflationLimits;
  readonly #metrics: GatewayMetrics;
  readonly #byTopic = new Map<string, Set<Socket>>();
  #slowCount = 0;

  constructor(limits: ConflationLimits, metrics: GatewayMetrics) {
    this.#limits = limits;
    this.#metrics = metrics;
  }

  /** Sockets in slow mode now. */
  get slowCount(): number {
    return this.#slowCount;
  }

  /** Slow sockets subscribed to a topic, or undefined (the common case). */
  slowOn(topic: string): Set<Socket> | undefined {
    return this.#slowCount === 0 ? undefined : this.#byTopic.get(topic);
  }

  /**
   * Checks one socket's backpressure (periodic sweep and after direct sends):
   * closes it past the hard limit or the slow deadline, or switches it to slow
   * mode past the soft limit. Returns false when it closed the socket.
   */
  check(ws: Socket, now: number): boolean {
    const s = ws.getUserData();
    if (s.closed) return false;
    const buffered = ws.getBufferedAmount() + s.heldBytes;
    if (buffered > this.#limits.hardBytes) {
      this.#close(ws, 'backpressure', `slow consumer: more than ${this.#limits.hardBytes} bytes buffered`);
      return false;
    }
    if (s.slow && now - s.slowSince > this.#limits.maxSlowMs) {
      this.#close(ws, 'slow_timeout', `slow consumer: did not catch up within ${this.#limits.maxSlowMs} ms`);
      return false;
    }
    if (!s.slow && buffered > this.#limits.softBytes) this.#enterSlow(ws, now);
    return true;
  }

  /** Registers a stream topic of a socket that is slow now (a subscribe while slow). */
  addTopic(ws: Socket, topic: string): void {
    let set = this.#byTopic.get(topic);
    if (set === undefined) {
      set = new Set();
      this.#byTopic.set(topic, set);
    }
    set.add(ws);
  }

  /** Removes a stream topic of a slow socket (an unsubscribe while slow). */
  removeTopic(ws: Socket, topic: string): void {
    const set = this.#byTopic.get(topic);
    if (set === undefined) return;
    set.delete(ws);
    if (set.size === 0) this.#byTopic.delete(topic);
  }

  /** Keeps an update for every slow socket in `set`; `conflationKey` names the stream. */
  offer(
    set: Set<Socket>,
    kind: ChannelKind,
    conflationKey: string,
    bytes: Uint8Array,
    isBinary: boolean,
  ): void {
    for (const ws of set) {
      const s = ws.getUserData();
      if (kind === 'candles' || kind === 'indicators') {
        const prev = s.held.get(conflationKey);
        if (prev === undefined) {
          s.held.set(conflationKey, { bytes, isBinary });
        } else {
          s.heldBytes -= prev.bytes.byteLength;
          prev.bytes = bytes;
          prev.isBinary = isBinary;
          this.#metrics.conflated.inc();
        }
        s.heldBytes += bytes.byteLength;
      } else if (kind === 'alerts') {
        if (s.heldAlerts.length >= MAX_HELD_ALERTS) {
          const dropped = s.heldAlerts.shift()!;
          s.heldBytes -= dropped.bytes.byteLength;
          this.#metrics.drops.inc({ reason: 'slow_client_alert' });
        }
        s.heldAlerts.push({ bytes, isBinary });
        s.heldBytes += bytes.byteLength;
      } else {
        this.#metrics.drops.inc({ reason: 'slow_client' });
      }
    }
  }

  /**
   * uWS `drain`: once the buffer is below half the soft limit, sends what was
   * held and, if the buffer stays below the soft limit, resubscribes.
   */
  onDrain(ws: Socket): void {
    const s = ws.getUserData();
    if (!s.slow || s.closed) return;
    if (ws.getBufferedAmount() > this.#limits.softBytes / 2) return;
    const held: HeldMessage[] = [];
    for (const m of s.held.values()) held.push(m);
    for (const m of s.heldAlerts) held.push(m);
    s.held.clear();
    s.heldAlerts.length = 0;
    s.heldBytes = 0;
    let sent = 0;
    ws.cork(() => {
      for (const m of held) {
        ws.send(m.bytes, m.isBinary);
        sent += m.bytes.byteLength;
      }
    });
    this.#metrics.counters.messagesOut += held.length;
    this.#metrics.counters.bytesOut += sent;
    if (ws.getBufferedAmount() <= this.#limits.softBytes) this.#leaveSlow(ws);
  }

  /** Forgets a socket that closed. */
  remove(ws: Socket): void {
    const s = ws.getUserData();
    if (!s.slow) return;
    for (const stream of s.streams.values()) this.removeTopic(ws, stream.topic);
    s.slow = false;
    this.#slowCount--;
  }

  #enterSlow(ws: Socket, now: number): void {
    const s = ws.getUserData();
    s.slow = true;
    s.slowSince = now;
    this.#slowCount++;
    for (const stream of s.streams.values()) {
      if (!stream.awaitingSnapshot) ws.unsubscribe(stream.topic);
      this.addTopic(ws, stream.topic);
    }
  }

  #leaveSlow(ws: Socket): void {
    const s = ws.getUserData();
    s.slow = false;
    this.#slowCount--;
    for (const stream of s.streams.values()) {
      this.removeTopic(ws, stream.topic);
      if (!stream.awaitingSnapshot) ws.subscribe(stream.topic);
    }
  }

  #close(ws: Socket, reason: string, message: string): void {
    const s = ws.getUserData();
    s.closeReason = reason;
    ws.end(SLOW_CLIENT_CLOSE_CODE, message);
  }
}
