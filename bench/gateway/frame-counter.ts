/**
 * A minimal WebSocket client for load tests: a raw TCP socket, the HTTP
 * upgrade, one masked text frame out, and a streaming frame parser that only
 * counts `update` messages in. It allocates nothing per frame, so client
 * processes stay cheap and the server under test is the bottleneck — the
 * `ws` client would spend more CPU per message than the gateway itself.
 */

import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

// `{"type":"update"` — byte 9 of an update's JSON is the `u`.
const UPDATE_MARK_OFFSET = 9;
const UPDATE_MARK = 0x75;
// An update whose first payload bytes straddle two chunks is told from heartbeats and acks by size.
const MIN_UPDATE_BYTES = 120;

/** Counts the data frames of one connection that carry an `update`. */
export class FrameCounter {
  /** Updates received. */
  updates = 0;
  /** Bytes of the current frame's payload still to skip. */
  #skip = 0;
  /** Header bytes of a frame split across chunks. */
  #header = Buffer.alloc(14);
  #headerLen = 0;

  /** Feeds bytes from the socket (after the HTTP upgrade answer). */
  feed(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.#skip > 0) {
        const take = Math.min(this.#skip, n - i);
        this.#skip -= take;
        i += take;
        continue;
      }
      // Gather a full header: 2 bytes, plus 2 or 8 for the length (server frames are unmasked).
      while (this.#headerLen < 2 && i < n) this.#header[this.#headerLen++] = chunk[i++]!;
      if (this.#headerLen < 2) return;
      const len7 = this.#header[1]! & 0x7f;
      const need = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
      while (this.#headerLen < need && i < n) this.#header[this.#headerLen++] = chunk[i++]!;
      if (this.#headerLen < need) return;
      const h = this.#header;
      const payload = len7 === 126 ? h.readUInt16BE(2) : len7 === 127 ? Number(h.readBigUInt64BE(2)) : len7;
      const opcode = h[0]! & 0x0f;
      this.#headerLen = 0;
      if (opcode === 1 || opcode === 2) {
        const mark =
          i + UPDATE_MARK_OFFSET < n
            ? chunk[i + UPDATE_MARK_OFFSET] === UPDATE_MARK
            : payload >= MIN_UPDATE_BYTES;
        if (mark) this.updates++;
      }
      this.#skip = payload;
    }
  }
}

/** A masked client text frame (RFC 6455 §5.3: every client frame is masked). */
export function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const len = payload.length;
  const head = len < 126 ? 2 : 4;
  const out = Buffer.alloc(head + 4 + len);
  out[0] = 0x81;
  if (len < 126) out[1] = 0x80 | len;
  else {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  }
  const mask = randomBytes(4);
  mask.copy(out, head);
  for (let k = 0; k < len; k++) out[head + 4 + k] = payload[k]! ^ mask[k & 3]!;
  return out;
}

/** Opens a WebSocket on `path`, sends `firstMessage`, and counts updates from then on. */
export function openCountingSocket(
  port: number,
  path: string,
  firstMessage: string,
): Promise<{ socket: Socket; counter: FrameCounter }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const counter = new FrameCounter();
    let head = Buffer.alloc(0);
    let upgraded = false;
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.on('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) {
        counter.feed(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = head.subarray(0, head.indexOf('\r\n')).toString();
      if (!status.includes(' 101 ')) {
        reject(new Error(`upgrade refused: ${status}`));
        socket.destroy();
        return;
      }
      upgraded = true;
      socket.write(clientTextFrame(firstMessage));
      resolve({ socket, counter });
      if (head.length > end + 4) counter.feed(head.subarray(end + 4));
    });
  });
}
