/** Typed IPC messages between bench/gateway/run.ts and its child processes. */

/** Parent → client process: connect this many clients to this port, each sending `subscribe` (JSON text). */
export interface ClientStart {
  port: number;
  count: number;
  subscribe: string;
}

/** Client process → parent: updates received so far by all its clients, at epoch ms `at`. */
export interface ClientReport {
  type: 'ready' | 'count';
  updates: number;
  at: number;
}

/** Which fan-out a server process runs. */
export type FanoutImpl = 'gateway' | 'ws';

/** Parent → server process. */
export type ToServer =
  | {
      type: 'start';
      impl: FanoutImpl /** Gateway fed from this NATS server instead of in-process. */;
      natsUrl?: string;
    }
  | { type: 'produce' }
  | { type: 'stop' };

/** Server process → parent. */
export type FromServer =
  | { type: 'listening'; port: number; detail: string }
  | { type: 'stats'; records: number; drops: number; seconds: number };
