/**
 * Holds a client's control messages to a venue's per-connection rate limit (Binance: 5 incoming
 * messages per second, pings and pongs included; exceeding it gets the connection closed).
 * Messages leave evenly spaced, `1000 / perSecond` ms apart, rather than in bursts at window
 * boundaries: a burst at the end of one second and another at the start of the next can land in
 * one of the server's windows once network jitter shifts them. `clear()` drops what a closed
 * socket never sent.
 */

/** Sends queued text messages at most `perSecond` per second, evenly spaced. */
export class OutgoingRateLimit {
  private readonly intervalMs: number;
  private readonly send: (text: string) => boolean;
  private readonly queue: string[] = [];
  private head = 0;
  private nextAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private readonly clock: () => number;

  constructor(perSecond: number, send: (text: string) => boolean, clock: () => number = Date.now) {
    this.intervalMs = 1000 / perSecond;
    this.send = send;
    this.clock = clock;
  }

  /** Messages waiting. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Queues a message and sends it now if the spacing allows. */
  enqueue(text: string): void {
    this.queue.push(text);
    this.drain();
  }

  /** Drops every waiting message. */
  clear(): void {
    this.queue.length = 0;
    this.head = 0;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private drain(): void {
    if (this.timer !== undefined) return;
    while (this.head < this.queue.length) {
      const now = this.clock();
      const wait = this.nextAt - now;
      if (wait > 0) {
        this.timer = setTimeout(this.onTimer, Math.ceil(wait));
        return;
      }
      if (!this.send(this.queue[this.head]!)) {
        this.clear();
        return;
      }
      this.head++;
      this.nextAt = now + this.intervalMs;
    }
    this.queue.length = 0;
    this.head = 0;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.drain();
  };
}
