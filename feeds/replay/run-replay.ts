/**
 * `replayFile` wired to JetStream: connects, checks the input streams exist, publishes through a
 * {@link Publisher}, and flushes before returning, also when a bad line stopped a fail-fast run.
 */

import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { fnv32a } from '../../schemas/index.js';
import { connectFeed, Publisher, type PublisherStats, requireInputStreams } from '../publisher/index.js';
import { type ReplayOptions, type ReplaySummary, replayFile } from './replay.js';

/** Options of {@link runReplay}: the replay's plus the publisher's. */
export interface RunReplayOptions extends ReplayOptions {
  natsUrl: string;
  /** Partition count of the input streams. Default 8. */
  partitions?: number;
  frameMaxRecords?: number;
  frameMaxDelayMs?: number;
  maxInFlight?: number;
  /**
   * Message-id prefix. Default `replay-<hash of path, size, mtime>-<file name>`, so two different
   * files never share ids. Replaying the same file again within the stream's duplicate window is
   * de-duplicated exactly when unframed (`frameMaxRecords` 1); framed, only the frames that were
   * cut at the same records, since frame boundaries also depend on timing.
   */
  msgIdPrefix?: string;
  /** Check that streams capture `md.trade.>` and `md.quote.>` first. Default true. */
  requireStreams?: boolean;
  /** An existing connection to use instead of `natsUrl`; it is left open. */
  connection?: NatsConnection;
}

/** The replay summary plus the publisher's final counters. */
export interface RunReplaySummary extends ReplaySummary {
  stats: PublisherStats;
}

/** Replays a file into JetStream and waits for every ack. */
export async function runReplay(o: RunReplayOptions): Promise<RunReplaySummary> {
  const info = await stat(o.path);
  const prefix =
    o.msgIdPrefix ??
    `replay-${fnv32a(`${resolve(o.path)}|${info.size}|${info.mtimeMs}`).toString(16)}-${basename(o.path)
      .replace(/[^A-Za-z0-9_.~-]/g, '_')
      .slice(0, 40)}`;
  const nc = o.connection ?? (await connectFeed(o.natsUrl, 'tickflow-replay'));
  try {
    if (o.requireStreams ?? true) await requireInputStreams(nc);
    const publisher = new Publisher(jetstream(nc), {
      partitions: o.partitions ?? 8,
      maxInFlight: o.maxInFlight,
      frameMaxRecords: o.frameMaxRecords,
      frameMaxDelayMs: o.frameMaxDelayMs,
      msgIdPrefix: prefix,
    });
    let summary: ReplaySummary;
    try {
      summary = await replayFile(o, publisher);
    } finally {
      await publisher.close();
    }
    return { ...summary, stats: publisher.stats() };
  } finally {
    if (o.connection === undefined) await nc.close();
  }
}
