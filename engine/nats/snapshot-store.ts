/**
 * Per-partition actor-state snapshots in NATS KV, each tagged with the stream sequence it covers
 * (state after applying every message up to and including `seq`). Snapshots run to several MB,
 * above what one KV value should hold, so a snapshot is written as chunks
 * `snap.<stream>.<p>.<gen>.<i>` and then a small manifest `snap.<stream>.<p>` naming the
 * generation, chunk count, length and SHA-256. The manifest write is the atomic switch; the
 * previous generation is purged after it (a stream purge by subject, which leaves no per-key
 * markers behind, unlike KV deletes of ever-new keys). A reader that finds a chunk missing or the hash wrong
 * (a writer crashed mid-way, or purged the generation while we read) retries when the manifest
 * moved, and otherwise reports "no snapshot" with a warning: replay from the stream start is
 * slower but correct.
 */
import { createHash } from 'node:crypto';
import { JetStreamApiError, type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { KV, KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { NatsEngineError } from './errors.js';
import { openBucket } from './kv-buckets.js';
import { type ResolvedSnapshotOptions, resolveSnapshotOptions, type SnapshotOptions } from './options.js';

/** The manifest stored under `snap.<stream>.<p>`. */
export interface SnapshotManifest {
  /** Generation: 1 for the first snapshot of a partition, +1 for each later one. */
  gen: number;
  /** Stream sequence the state covers. */
  seq: number;
  chunks: number;
  /** Size of each chunk but the last. */
  chunkBytes: number;
  /** Total length in bytes. */
  bytes: number;
  /** Hex SHA-256 of the whole snapshot. */
  sha256: string;
  /** Wall-clock time of the write, epoch ms. */
  at: number;
}

/** A snapshot read back. */
export interface Snapshot {
  seq: number;
  bytes: Uint8Array;
}

/** Everything {@link SnapshotStore.open} accepts. */
export interface SnapshotStoreOptions extends SnapshotOptions {
  /** Where "incomplete snapshot" warnings go. Default `process.emitWarning`. */
  warn?: (message: string) => void;
}

const STREAM_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
// Room for the subject and headers next to a chunk in one message.
const MESSAGE_OVERHEAD = 4096;
const READ_ATTEMPTS = 3;

function checkTarget(stream: string, partition: number): void {
  if (typeof stream !== 'string' || !STREAM_TOKEN.test(stream)) {
    throw new NatsEngineError(
      'TF_ERR_NATS_OPTION',
      `stream must be 1-64 characters of A-Z, a-z, 0-9, _ or -`,
    );
  }
  if (!Number.isInteger(partition) || partition < 0) {
    throw new NatsEngineError(
      'TF_ERR_NATS_OPTION',
      `partition must be a non-negative integer, got ${partition}`,
    );
  }
}

function manifestKey(stream: string, p: number): string {
  return `snap.${stream}.${p}`;
}

function chunkKey(stream: string, p: number, gen: number, i: number): string {
  return `snap.${stream}.${p}.${gen}.${i}`;
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function parseManifest(e: KvEntry): SnapshotManifest | null {
  let m: Partial<SnapshotManifest>;
  try {
    m = e.json<Partial<SnapshotManifest>>();
  } catch {
    return null;
  }
  if (
    typeof m !== 'object' ||
    m === null ||
    !isNonNegInt(m.gen) ||
    !isNonNegInt(m.seq) ||
    !isNonNegInt(m.chunks) ||
    !isNonNegInt(m.chunkBytes) ||
    !isNonNegInt(m.bytes) ||
    typeof m.sha256 !== 'string' ||
    m.chunks !== (m.chunkBytes === 0 ? 0 : Math.ceil(m.bytes / m.chunkBytes))
  ) {
    return null;
  }
  return m as SnapshotManifest;
}

/** Runs `task(i)` for i in [0, n) with at most `limit` running at once. */
async function runLimited(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes: Promise<void>[] = [];
  for (let l = 0; l < Math.min(limit, n); l++) {
    lanes.push(
      (async () => {
        while (next < n) await task(next++);
      })(),
    );
  }
  await Promise.all(lanes);
}

/** Chunked, hash-checked snapshot storage in the `tickflow_snapshots` bucket (history 1). */
export class SnapshotStore {
  /** The options in force, defaults filled in; `chunkBytes` already clamped to the server limit. */
  readonly options: ResolvedSnapshotOptions;
  readonly #kv: KV;
  readonly #jsm: JetStreamManager;
  readonly #warn: (message: string) => void;

  private constructor(
    kv: KV,
    jsm: JetStreamManager,
    o: ResolvedSnapshotOptions,
    warn: (message: string) => void,
  ) {
    this.#kv = kv;
    this.#jsm = jsm;
    this.options = o;
    this.#warn = warn;
  }

  /** Opens (creating when missing) the snapshot bucket. */
  static async open(nc: NatsConnection, options: SnapshotStoreOptions = {}): Promise<SnapshotStore> {
    const o = resolveSnapshotOptions(options);
    const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
    o.chunkBytes = Math.max(1024, Math.min(o.chunkBytes, maxPayload - MESSAGE_OVERHEAD));
    const kv = await openBucket(nc, {
      name: o.bucket,
      ttlMs: 0,
      history: 1,
      description: 'tickflow actor snapshots',
      replicas: o.replicas,
    });
    const warn = options.warn ?? ((m: string) => process.emitWarning(m, 'TickflowSnapshotWarning'));
    return new SnapshotStore(kv, await jetstreamManager(nc), o, warn);
  }

  /**
   * Stores `bytes` as the snapshot of (`stream`, `partition`) covering stream sequence `seq`:
   * chunks first, the manifest last (compare-and-set against the manifest we read, so two
   * writers cannot both win: the loser rejects with `TF_ERR_NATS_SNAPSHOT_CONFLICT`), then the
   * previous generation's chunks are purged. Returns the manifest written. Only the partition's
   * lease holder should write: two writers racing on the same generation may mix chunks, which
   * the hash check turns into "no snapshot", never into wrong state.
   */
  async put(stream: string, partition: number, seq: number, bytes: Uint8Array): Promise<SnapshotManifest> {
    checkTarget(stream, partition);
    if (!isNonNegInt(seq)) {
      throw new NatsEngineError('TF_ERR_NATS_OPTION', `seq must be a non-negative integer, got ${seq}`);
    }
    const key = manifestKey(stream, partition);
    const prev = await this.#kv.get(key);
    const prevManifest = prev !== null && prev.operation === 'PUT' ? parseManifest(prev) : null;
    const gen = (prevManifest?.gen ?? 0) + 1;
    const chunkBytes = this.options.chunkBytes;
    const chunks = Math.ceil(bytes.length / chunkBytes);
    await runLimited(chunks, this.options.concurrency, async (i) => {
      const start = i * chunkBytes;
      await this.#kv.put(chunkKey(stream, partition, gen, i), bytes.subarray(start, start + chunkBytes));
    });
    const manifest: SnapshotManifest = {
      gen,
      seq,
      chunks,
      chunkBytes,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      at: Date.now(),
    };
    const text = JSON.stringify(manifest);
    try {
      if (prev !== null && prev.operation === 'PUT') await this.#kv.update(key, text, prev.revision);
      else await this.#kv.create(key, text);
    } catch (err) {
      if (err instanceof JetStreamApiError && (err.code === 10071 || err.code === 10164)) {
        // Our chunks are garbage unless the winner wrote the same generation (then they are its).
        const now = await this.#kv.get(key);
        const winner = now !== null && now.operation === 'PUT' ? parseManifest(now) : null;
        if (winner?.gen !== gen) await this.#purgeGeneration(stream, partition, gen);
        throw new NatsEngineError(
          'TF_ERR_NATS_SNAPSHOT_CONFLICT',
          `snapshot of ${stream} partition ${partition} was written by someone else while we wrote ours`,
          { cause: err },
        );
      }
      throw err;
    }
    await this.#purgeOtherGenerations(stream, partition, gen);
    return manifest;
  }

  /**
   * The latest complete snapshot of (`stream`, `partition`), or null when there is none or it is
   * incomplete or corrupt (then with a warning).
   */
  async get(stream: string, partition: number): Promise<Snapshot | null> {
    checkTarget(stream, partition);
    const key = manifestKey(stream, partition);
    let problem = '';
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const e = await this.#kv.get(key);
      if (e === null || e.operation !== 'PUT') return null;
      const m = parseManifest(e);
      if (m === null) {
        this.#warn(`snapshot manifest ${key} is unreadable; starting without a snapshot`);
        return null;
      }
      const out = new Uint8Array(m.bytes);
      problem = '';
      await runLimited(m.chunks, this.options.concurrency, async (i) => {
        if (problem !== '') return;
        const c = await this.#kv.get(chunkKey(stream, partition, m.gen, i));
        const want = Math.min(m.chunkBytes, m.bytes - i * m.chunkBytes);
        if (c === null || c.operation !== 'PUT') problem = `chunk ${i} of ${m.chunks} is missing`;
        else if (c.value.length !== want)
          problem = `chunk ${i} has ${c.value.length} bytes, expected ${want}`;
        else out.set(c.value, i * m.chunkBytes);
      });
      if (problem === '' && createHash('sha256').update(out).digest('hex') !== m.sha256) {
        problem = 'SHA-256 does not match the manifest';
      }
      if (problem === '') return { seq: m.seq, bytes: out };
      // A writer may have switched generations and purged ours while we read: read the new one.
      const now = await this.#kv.get(key);
      if (now === null || now.revision === e.revision) break;
    }
    this.#warn(`snapshot ${key} is incomplete (${problem}); starting without a snapshot`);
    return null;
  }

  /** Removes every chunk of generation `gen`, markers included. */
  async #purgeGeneration(stream: string, p: number, gen: number): Promise<void> {
    const bucket = this.options.bucket;
    try {
      await this.#jsm.streams.purge(`KV_${bucket}`, { filter: `$KV.${bucket}.snap.${stream}.${p}.${gen}.>` });
    } catch (err) {
      // Leftover chunks cost space, not correctness: the next put purges them again.
      this.#warn(`could not purge snapshot chunks of ${stream} partition ${p}: ${(err as Error).message}`);
    }
  }

  /**
   * Purges every chunk generation of a partition except `keep`, leftovers of crashed writers
   * included. The generations are read from the stream's per-subject counts in one request, not
   * with `kv.keys()`: that listing is a consumer that can wait for good when keys go away while it
   * runs (see live-keys.ts), and this runs in the partition's lock.
   */
  async #purgeOtherGenerations(stream: string, p: number, keep: number): Promise<void> {
    const bucket = this.options.bucket;
    const prefix = `$KV.${bucket}.snap.${stream}.${p}.`;
    const gens = new Set<number>();
    try {
      const info = await this.#jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${prefix}>` });
      for (const subject of Object.keys(info.state.subjects ?? {})) {
        const gen = Number(subject.slice(prefix.length).split('.')[0]);
        if (Number.isInteger(gen) && gen !== keep) gens.add(gen);
      }
    } catch (err) {
      this.#warn(`could not list snapshot chunks of ${stream} partition ${p}: ${(err as Error).message}`);
    }
    for (const gen of gens) await this.#purgeGeneration(stream, p, gen);
  }
}
