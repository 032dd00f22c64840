/**
 * The WebSocket route: authentication at upgrade (so an unauthenticated
 * socket never opens), then the protocol of docs/websocket-protocol.md per
 * connection. uWS rules kept here: request data is copied synchronously in
 * `upgrade` before any await, `onAborted` is registered before the await, a
 * message's ArrayBuffer is copied before parsing (uWS neuters it on return),
 * and a socket is never touched after its `close` (checked via `closed`).
 */

import type {
  HttpRequest,
  HttpResponse,
  us_socket_context_t,
  WebSocket,
  WebSocketBehavior,
} from '@trufflesuite/uws-js-unofficial';
import type { Logger } from 'pino';
import type { AnyRecord, Candle, Interval } from '../schemas/index.js';
import { type Authenticator, credentialFrom } from './auth/authenticator.js';
import { type ConnectionCounter, mayUse, type Principal } from './auth/permissions.js';
import type { Conflator } from './conflation.js';
import { errorBody, RequestGuard } from './http-reply.js';
import { type LatestCache, snapshotOf } from './latest-cache.js';
import type { GatewayMetrics } from './metrics.js';
import { originAllowed } from './origin-policy.js';
import {
  type ClientOp,
  encodeServerMessage,
  type ProtocolErrorCode,
  parseClientFrame,
  type RequestId,
  type ServerMessage,
  type StreamRef,
  type SubscriptionOp,
} from './protocol.js';
import { createTokenBucket, takeToken } from './rate-limit.js';
import { type Session, type SessionStream, streamKey } from './session.js';
import { heartbeatTopic, streamTopic, type WireFormat } from './topics.js';

type Socket = WebSocket<Session>;

/** Close code after too many rate-limited messages in a row. */
export const RATE_LIMIT_CLOSE_CODE = 4029;

/** Rate-limited messages in a row before the connection is closed. */
export const MAX_LIMITED_IN_A_ROW = 200;

/**
 * Bytes uWS may buffer for a socket beyond our hard limit before it drops sends (see
 * `maxBackpressure` below): 16 MiB in the 50 ms between two sweeps would be 320 MB/s to one
 * client, far past anything the fan-out produces.
 */
export const BACKSTOP_HEADROOM_BYTES = 16 * 1024 * 1024;

/** Fetches the newest stored candle for a cold stream; null when there is none or the store is down. */
export type ColdCandleLookup = (venue: string, symbol: string, interval: Interval) => Promise<Candle | null>;

/** What the WebSocket route needs. */
export interface WebSocketDeps {
  maxPayloadBytes: number;
  maxSubscriptions: number;
  idleTimeoutSec: number;
  maxLifetimeMin: number;
  hardBackpressureBytes: number;
  allowedOrigins: readonly string[];
  /** Null when auth is off; then every connection is `anonymous`. */
  authenticator: Authenticator | null;
  anonymous: Principal;
  connections: ConnectionCounter;
  cache: LatestCache;
  conflator: Conflator;
  metrics: GatewayMetrics;
  log: Logger;
  /** Open sockets, for heartbeats and the backpressure sweep. */
  sockets: Set<Socket>;
  coldCandle: ColdCandleLookup;
}

let nextSessionId = 1;

function send(ws: Socket, s: Session, msg: ServerMessage, metrics: GatewayMetrics): void {
  if (s.closed) return;
  const data = encodeServerMessage(s.format, msg);
  ws.send(data, s.format === 'msgpack');
  metrics.counters.messagesOut++;
  metrics.counters.bytesOut += typeof data === 'string' ? data.length : data.byteLength;
}

function sendError(
  ws: Socket,
  s: Session,
  code: ProtocolErrorCode,
  message: string,
  id: RequestId | undefined,
  metrics: GatewayMetrics,
): void {
  metrics.clientErrors.inc({ code });
  send(
    ws,
    s,
    id === undefined ? { type: 'error', code, message } : { type: 'error', id, code, message },
    metrics,
  );
}

function refuseUpgrade(guard: RequestGuard, status: number, code: ProtocolErrorCode, message: string): void {
  guard.json(status, errorBody(code, message));
}

/** Builds the uWS behavior of the `/ws` route. */
export function createWebSocketBehavior(d: WebSocketDeps): WebSocketBehavior<Session> {
  const { metrics, conflator, cache } = d;

  function upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void {
    // Copy everything from req now: it is only valid until this function returns.
    const key = req.getHeader('sec-websocket-key');
    const protocols = req.getHeader('sec-websocket-protocol');
    const extensions = req.getHeader('sec-websocket-extensions');
    const origin = req.getHeader('origin');
    const host = req.getHeader('host');
    const authorization = req.getHeader('authorization');
    const queryToken = req.getQuery('token') ?? '';
    const formatParam = req.getQuery('format') ?? '';
    const remote = Buffer.from(res.getRemoteAddressAsText()).toString();
    const guard = new RequestGuard(res);
    if (!originAllowed(d.allowedOrigins, origin, host)) {
      d.log.warn({ event: 'origin_refused', origin, remote }, 'origin not allowed');
      refuseUpgrade(guard, 403, 'origin_not_allowed', `origin ${origin} is not allowed`);
      return;
    }
    if (formatParam !== '' && formatParam !== 'json' && formatParam !== 'msgpack') {
      refuseUpgrade(guard, 400, 'bad_format', 'format must be json or msgpack');
      return;
    }
    const format: WireFormat = formatParam === 'msgpack' ? 'msgpack' : 'json';
    const protocol = protocols.split(',')[0]!.trim();
    const finish = (principal: Principal): void => {
      if (guard.done) return;
      if (!d.connections.acquire(principal)) {
        metrics.authFailures.inc({ reason: 'too_many_connections' });
        refuseUpgrade(
          guard,
          429,
          'too_many_connections',
          `at most ${principal.maxConnections} connections for this credential`,
        );
        return;
      }
      const now = Date.now();
      const session: Session = {
        id: nextSessionId++,
        principal,
        remote,
        format,
        bucket: createTokenBucket(principal.ratePerSecond, principal.burst, now),
        streams: new Map(),
        closed: false,
        closeReason: null,
        limitedInARow: 0,
        lastLimitErrorAt: 0,
        slow: false,
        slowSince: 0,
        held: new Map(),
        heldBytes: 0,
        heldAlerts: [],
      };
      res.cork(() => res.upgrade(session, key, protocol, extensions, context));
    };
    if (d.authenticator === null) {
      finish(d.anonymous);
      return;
    }
    const credential = credentialFrom(authorization, queryToken);
    void d.authenticator.authenticate(credential, { transport: 'ws', remote }).then((result) => {
      if (guard.done) return;
      if (!result.ok) {
        refuseUpgrade(guard, 401, 'unauthorized', `credentials refused: ${result.reason}`);
        return;
      }
      finish(result.principal);
    });
  }

  function open(ws: Socket): void {
    const s = ws.getUserData();
    d.sockets.add(ws);
    metrics.counters.connections++;
    ws.subscribe(heartbeatTopic(s.format));
  }

  function close(ws: Socket, code: number): void {
    const s = ws.getUserData();
    s.closed = true;
    d.sockets.delete(ws);
    conflator.remove(ws);
    metrics.counters.connections--;
    metrics.counters.subscriptions -= s.streams.size;
    d.connections.release(s.principal);
    const reason =
      s.closeReason ??
      (code === 1000 || code === 1001 ? 'client' : code === 1006 ? 'abnormal' : `code_${code}`);
    metrics.disconnects.inc({ reason });
  }

  function message(ws: Socket, ab: ArrayBuffer, isBinary: boolean): void {
    const s = ws.getUserData();
    const now = Date.now();
    if (!takeToken(s.bucket, now)) {
      s.limitedInARow++;
      metrics.drops.inc({ reason: 'rate_limited' });
      if (s.limitedInARow >= MAX_LIMITED_IN_A_ROW) {
        s.closeReason = 'rate_limited';
        ws.end(RATE_LIMIT_CLOSE_CODE, 'rate limit exceeded repeatedly');
        return;
      }
      // One refusal a second is enough to tell the client; more would add to the flood.
      if (now - s.lastLimitErrorAt >= 1000) {
        s.lastLimitErrorAt = now;
        sendError(
          ws,
          s,
          'rate_limited',
          `at most ${s.principal.ratePerSecond} messages per second`,
          undefined,
          metrics,
        );
      }
      return;
    }
    s.limitedInARow = 0;
    if (ab.byteLength > d.maxPayloadBytes) {
      sendError(
        ws,
        s,
        'payload_too_large',
        `messages are limited to ${d.maxPayloadBytes} bytes`,
        undefined,
        metrics,
      );
      return;
    }
    // uWS neuters `ab` when this callback returns; parse a copy.
    const bytes = new Uint8Array(ab.slice(0));
    const parsed = parseClientFrame(bytes, isBinary);
    if (!parsed.ok) {
      sendError(ws, s, parsed.error.code, parsed.error.message, parsed.error.id, metrics);
      return;
    }
    handleOp(ws, s, parsed.op);
    conflator.check(ws, now);
  }

  function handleOp(ws: Socket, s: Session, op: ClientOp): void {
    switch (op.op) {
      case 'ping':
        send(
          ws,
          s,
          op.id === undefined
            ? { type: 'pong', ts: Date.now() }
            : { type: 'pong', id: op.id, ts: Date.now() },
          metrics,
        );
        return;
      case 'hello':
        switchFormat(ws, s, op.format);
        send(
          ws,
          s,
          op.id === undefined
            ? { type: 'ack', op: 'hello', format: s.format }
            : { type: 'ack', id: op.id, op: 'hello', format: s.format },
          metrics,
        );
        return;
      case 'subscribe':
        subscribe(ws, s, op);
        return;
      case 'unsubscribe':
        unsubscribe(ws, s, op);
        return;
    }
  }

  function switchFormat(ws: Socket, s: Session, format: WireFormat): void {
    if (format === s.format) return;
    ws.unsubscribe(heartbeatTopic(s.format));
    ws.subscribe(heartbeatTopic(format));
    for (const stream of s.streams.values()) {
      const topic = streamTopic(format, stream.channel.name, stream.selector.venue, stream.selector.symbol);
      if (s.slow) {
        conflator.removeTopic(ws, stream.topic);
        conflator.addTopic(ws, topic);
      } else if (!stream.awaitingSnapshot) {
        ws.unsubscribe(stream.topic);
        ws.subscribe(topic);
      }
      stream.topic = topic;
    }
    // Held messages were encoded in the old format; the next update replaces them anyway.
    s.held.clear();
    s.heldAlerts.length = 0;
    s.heldBytes = 0;
    s.format = format;
  }

  function listStreams(s: Session): StreamRef[] {
    const out: StreamRef[] = [];
    for (const stream of s.streams.values())
      out.push({ channel: stream.channel.name, symbol: stream.selector.text });
    return out;
  }

  function subscribe(ws: Socket, s: Session, op: SubscriptionOp): void {
    for (const c of op.channels) {
      if (!mayUse(s.principal, c.kind)) {
        sendError(ws, s, 'forbidden', `this credential may not use channel ${c.kind}`, op.id, metrics);
        return;
      }
    }
    const added: SessionStream[] = [];
    const seen = new Set<string>();
    for (const c of op.channels) {
      for (const sel of op.symbols) {
        const k = streamKey(c.name, sel.text);
        if (s.streams.has(k) || seen.has(k)) continue;
        seen.add(k);
        added.push({
          channel: c,
          selector: sel,
          topic: streamTopic(s.format, c.name, sel.venue, sel.symbol),
          awaitingSnapshot: false,
        });
      }
    }
    if (s.streams.size + added.length > d.maxSubscriptions) {
      sendError(
        ws,
        s,
        'too_many_subscriptions',
        `at most ${d.maxSubscriptions} subscriptions per connection`,
        op.id,
        metrics,
      );
      return;
    }
    for (const stream of added) s.streams.set(streamKey(stream.channel.name, stream.selector.text), stream);
    metrics.counters.subscriptions += added.length;
    const subscribed = listStreams(s);
    send(
      ws,
      s,
      op.id === undefined
        ? { type: 'ack', op: 'subscribe', subscribed }
        : { type: 'ack', id: op.id, op: 'subscribe', subscribed },
      metrics,
    );
    ws.cork(() => {
      for (const stream of added) startStream(ws, s, stream);
    });
  }

  /** Sends the snapshot of a new stream, then subscribes its topic so updates follow it in order. */
  function startStream(ws: Socket, s: Session, stream: SessionStream): void {
    const { channel, selector } = stream;
    if (selector.symbol === null) {
      for (const inst of cache.venue(selector.venue)) {
        const snap = snapshotOf(inst, channel.kind, channel.interval);
        if (snap.data.length > 0) snapshotMessage(ws, s, channel.name, inst.key, snap.seq, snap.data);
      }
      attach(ws, s, stream);
      return;
    }
    const inst = cache.get(selector.venue, selector.symbol);
    const snap = inst === undefined ? { seq: 0, data: [] } : snapshotOf(inst, channel.kind, channel.interval);
    if (snap.data.length > 0 || channel.kind !== 'candles' || channel.interval === null) {
      snapshotMessage(ws, s, channel.name, selector.text, snap.seq, snap.data);
      attach(ws, s, stream);
      return;
    }
    // Cold candle stream: ask QuestDB, and subscribe only after the snapshot went out.
    stream.awaitingSnapshot = true;
    const { venue, symbol } = { venue: selector.venue, symbol: selector.symbol };
    const interval = channel.interval;
    void d.coldCandle(venue, symbol, interval).then((stored) => {
      if (s.closed || s.streams.get(streamKey(channel.name, selector.text)) !== stream) return;
      if (stored !== null) cache.seedCandle(stored);
      const now = cache.get(venue, symbol);
      const fresh = now === undefined ? { seq: 0, data: [] } : snapshotOf(now, 'candles', interval);
      stream.awaitingSnapshot = false;
      ws.cork(() => {
        snapshotMessage(ws, s, channel.name, selector.text, fresh.seq, fresh.data);
        attach(ws, s, stream);
      });
    });
  }

  function attach(ws: Socket, s: Session, stream: SessionStream): void {
    if (s.slow) conflator.addTopic(ws, stream.topic);
    else ws.subscribe(stream.topic);
  }

  function snapshotMessage(
    ws: Socket,
    s: Session,
    channel: string,
    symbol: string,
    seq: number,
    data: AnyRecord[],
  ): void {
    send(ws, s, { type: 'snapshot', channel, symbol, seq, data }, metrics);
  }

  function unsubscribe(ws: Socket, s: Session, op: SubscriptionOp): void {
    let removed = 0;
    for (const c of op.channels) {
      for (const sel of op.symbols) {
        const k = streamKey(c.name, sel.text);
        const stream = s.streams.get(k);
        if (stream === undefined) continue;
        s.streams.delete(k);
        removed++;
        if (s.slow) conflator.removeTopic(ws, stream.topic);
        else if (!stream.awaitingSnapshot) ws.unsubscribe(stream.topic);
      }
    }
    metrics.counters.subscriptions -= removed;
    const subscribed = listStreams(s);
    send(
      ws,
      s,
      op.id === undefined
        ? { type: 'ack', op: 'unsubscribe', subscribed }
        : { type: 'ack', id: op.id, op: 'unsubscribe', subscribed },
      metrics,
    );
  }

  return {
    // uWS closes (1009) above its own limit; between ours and it the client gets payload_too_large.
    maxPayloadLength: Math.max(d.maxPayloadBytes * 4, 65_536),
    idleTimeout: d.idleTimeoutSec,
    maxLifetime: d.maxLifetimeMin,
    // uWS drops any send once a socket's buffer is past maxBackpressure, the 4008 close frame
    // included, and the client then sees 1006 with no reason. Our sweep closes at the hard limit,
    // so this is only a backstop: its headroom must exceed what can reach one socket between
    // two sweeps. At twice the hard limit it did not: with the event loop busy, two 250 KiB
    // messages came between sweeps and the close frame was lost (slow-client.live, in CI).
    maxBackpressure: d.hardBackpressureBytes + Math.max(d.hardBackpressureBytes, BACKSTOP_HEADROOM_BYTES),
    closeOnBackpressureLimit: 0,
    sendPingsAutomatically: true,
    upgrade,
    open,
    message,
    drain: (ws) => conflator.onDrain(ws),
    close,
  };
}
