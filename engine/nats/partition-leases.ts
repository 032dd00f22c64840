/**
 * Partition ownership among engine processes, kept in two NATS KV buckets whose max age is the
 * lease TTL: `tickflow_leases` holds one key per owned partition (`p.<n>`), `tickflow_members`
 * one key per live engine (`m.<engineId>`). A key not renewed within the TTL simply expires,
 * which is how a crashed engine's partitions become free.
 *
 * - claim: `kv.create` (fails when the key exists), so at most one engine wins a free partition;
 * - renew: `kv.update` with the revision we last wrote (CAS): a failure means the key expired or
 *   someone else holds it, and we report it revoked;
 * - release: `onReleasing` completes first, then a revision-checked delete frees the key.
 *
 * Fair share is ceil(P / live members). An engine above its share releases its highest
 * partitions; one below claims free ones, lowest first. Rebalancing runs on a timer and when
 * the buckets change (a lease freed, a member joining or leaving).
 *
 * Who is live and which partitions are taken is read from watches of both buckets
 * ({@link LiveKeys}), never from listing them: a listing can wait for good when keys are deleted
 * while it runs. nats-server 2.9 writes no marker when a key expires by max age, so expiries
 * are found by the timer, not by the watch; per-message TTLs (2.11) would not change the design.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { JetStreamApiError } from '@nats-io/jetstream';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection, QueuedIterator } from '@nats-io/transport-node';
import { openBucket } from './kv-buckets.js';
import { LiveKeys } from './live-keys.js';
import { type LeaseOptions, type ResolvedLeaseOptions, resolveLeaseOptions } from './options.js';

/**
 * What the engine does as ownership changes. Each is awaited; errors they throw are reported
 * as `warning` events and do not stop the lease manager.
 */
export interface PartitionLeaseHandlers {
  /** We hold the lease of `partition`: restore state, start consuming. Runs before `acquired`. */
  onAcquired(partition: number): Promise<void>;
  /**
   * We are giving `partition` up (rebalance or stop): stop pulling, drain, flush, ack, snapshot.
   * The lease is renewed meanwhile and deleted only after this resolves.
   */
  onReleasing(partition: number): Promise<void>;
  /**
   * We lost `partition` without releasing it (renewal failed: it expired or another engine holds
   * it): stop consuming at once and ack nothing more; unacked messages go to the new owner.
   */
  onRevoked(partition: number): Promise<void>;
}

/** State after one rebalance pass, for metrics. */
export interface LeaseBalance {
  owned: number[];
  members: number;
  share: number;
}

/** Events a {@link PartitionLeases} emits, for metrics and logs. */
export type PartitionLeaseEvents = {
  acquired: [partition: number];
  released: [partition: number];
  revoked: [partition: number, reason: string];
  rebalanced: [balance: LeaseBalance];
  warning: [error: Error];
};

interface Held {
  /** Revision of our last write to the lease key, the CAS token of the next one. */
  revision: number;
  releasing: boolean;
  renewedAt: number;
  /** KV operations on one lease run one at a time: a renew racing a delete would fail its CAS. */
  queue: Promise<void>;
}

type State = 'new' | 'running' | 'stopping' | 'stopped' | 'abandoned';

// Expected-last-sequence failures: the key changed since our revision, or exists on create.
const WRONG_LAST_SEQUENCE = new Set([10071, 10164]);

function isCasFailure(err: unknown): boolean {
  return err instanceof JetStreamApiError && WRONG_LAST_SEQUENCE.has(err.code);
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function leaseKey(partition: number): string {
  return `p.${partition}`;
}

/** Claims, renews and releases partition leases for one engine process; see the module comment. */
export class PartitionLeases extends EventEmitter<PartitionLeaseEvents> {
  /** The options in force, defaults filled in. */
  readonly options: ResolvedLeaseOptions;
  readonly #leases: KV;
  readonly #members: KV;
  readonly #handlers: PartitionLeaseHandlers;
  readonly #held = new Map<number, Held>();
  readonly #liveMembers: LiveKeys;
  readonly #liveLeases: LiveKeys;
  readonly #memberKey: string;
  /** Latest revision of our membership key the members watch has shown. */
  #ownRevisionSeen = 0;
  #state: State = 'new';
  #renewTimer: NodeJS.Timeout | undefined;
  #rebalanceTimer: NodeJS.Timeout | undefined;
  #soonTimer: NodeJS.Timeout | undefined;
  #renewing = false;
  #rebalancing: Promise<void> | null = null;
  #again = false;
  #watchers: QueuedIterator<KvWatchEntry>[] = [];
  #lastMembers = 0;

  private constructor(o: ResolvedLeaseOptions, leases: KV, members: KV, handlers: PartitionLeaseHandlers) {
    super();
    this.options = o;
    this.#leases = leases;
    this.#members = members;
    this.#handlers = handlers;
    this.#memberKey = `m.${o.engineId}`;
    this.#liveMembers = new LiveKeys(o.ttlMs);
    this.#liveLeases = new LiveKeys(o.ttlMs);
  }

  /**
   * Validates the options and opens (creating when missing) both buckets with max age = TTL.
   * Rejects with `TF_ERR_NATS_OPTION` or `TF_ERR_NATS_BUCKET_CONFLICT`. Call {@link start} next.
   */
  static async open(
    nc: NatsConnection,
    options: LeaseOptions,
    handlers: PartitionLeaseHandlers,
  ): Promise<PartitionLeases> {
    const o = resolveLeaseOptions(options);
    const leases = await openBucket(nc, {
      name: o.leaseBucket,
      ttlMs: o.ttlMs,
      history: 1,
      description: 'tickflow partition leases',
      replicas: o.replicas,
    });
    const members = await openBucket(nc, {
      name: o.memberBucket,
      ttlMs: o.ttlMs,
      history: 1,
      description: 'tickflow live engines',
      replicas: o.replicas,
    });
    return new PartitionLeases(o, leases, members, handlers);
  }

  /** Partitions whose lease we hold (including ones being released), ascending. */
  owned(): number[] {
    const out: number[] = [];
    for (const p of this.#held.keys()) out.push(p);
    return out.sort((a, b) => a - b);
  }

  /** Live members counted by the last rebalance pass (0 before the first). */
  members(): number {
    return this.#lastMembers;
  }

  /**
   * Announces this engine, claims its share and starts the renew and rebalance timers and the
   * bucket watches. Resolves after the first rebalance pass (its `onAcquired` calls included).
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') return;
    this.#state = 'running';
    await Promise.all([
      this.#watch(this.#leases, (e, now) => {
        // A claim or renewal changes nobody's share; a freed lease is worth a pass at once.
        if (this.#liveLeases.apply(e.key, e.operation, now) && e.operation !== 'PUT') this.#rebalanceSoon();
      }),
      this.#watch(this.#members, (e, now) => {
        // Renewals are routine; a member joining or leaving changes everyone's share.
        if (this.#liveMembers.apply(e.key, e.operation, now)) this.#rebalanceSoon();
        if (e.key === this.#memberKey) this.#ownRevisionSeen = e.revision;
      }),
    ]);
    // The watch replays every member's latest write before anything newer, ours included: once
    // it shows ours, it has shown every member there was, and the first share is counted right.
    const joinRevision = await this.#members.put(this.#memberKey, this.#memberValue());
    const deadline = Date.now() + this.options.ttlMs;
    while (this.#ownRevisionSeen < joinRevision && Date.now() < deadline) await sleep(5);
    if (this.#ownRevisionSeen < joinRevision) {
      this.emit(
        'warning',
        new Error(
          `the ${this.options.memberBucket} watch did not show our own membership within ${this.options.ttlMs} ms; ` +
            'counting the members it has shown so far',
        ),
      );
    }
    this.#renewTimer = setInterval(() => void this.#renewAll(), this.options.heartbeatMs);
    this.#rebalanceTimer = setInterval(() => void this.#rebalance(), this.options.rebalanceMs);
    await this.#rebalance();
  }

  /**
   * Leaves cleanly: withdraws membership first (so peers count us out and take what we free),
   * then releases every partition, highest first, each after its `onReleasing` resolved.
   */
  async stop(): Promise<void> {
    if (this.#state !== 'running' && this.#state !== 'new') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'stopping';
    clearInterval(this.#rebalanceTimer);
    clearTimeout(this.#soonTimer);
    this.#stopWatches();
    if (this.#rebalancing !== null) await this.#rebalancing;
    if (wasRunning) {
      try {
        await this.#members.delete(this.#memberKey);
      } catch (err) {
        this.emit('warning', asError(err));
      }
    }
    const owned = this.owned();
    for (let i = owned.length - 1; i >= 0; i--) await this.#release(owned[i]!);
    clearInterval(this.#renewTimer);
    this.#state = 'stopped';
  }

  /**
   * Stops every timer and watch and forgets every lease without releasing anything, as a crash
   * would: peers take the partitions over once the leases expire. For tests and fatal paths.
   */
  abandon(): void {
    if (this.#state === 'stopped' || this.#state === 'abandoned') return;
    this.#state = 'abandoned';
    clearInterval(this.#rebalanceTimer);
    clearInterval(this.#renewTimer);
    clearTimeout(this.#soonTimer);
    this.#stopWatches();
    this.#held.clear();
  }

  #memberValue(): string {
    return JSON.stringify({ engine: this.options.engineId, at: Date.now() });
  }

  #leaseValue(): string {
    return JSON.stringify({ owner: this.options.engineId, at: Date.now() });
  }

  /**
   * Opens a watch of a bucket: every key's latest entry, then each change, passed to `onEntry`
   * with its arrival time. A watch that ends while we run is reopened after a heartbeat; its
   * replay brings the view back up to date.
   */
  async #watch(kv: KV, onEntry: (e: KvWatchEntry, now: number) => void): Promise<void> {
    const w = await kv.watch();
    if (this.#state !== 'running') {
      w.stop();
      return;
    }
    this.#watchers.push(w);
    void (async () => {
      for await (const e of w) onEntry(e, Date.now());
    })()
      .catch((err: unknown) => {
        if (this.#state === 'running') this.emit('warning', asError(err));
      })
      .finally(() => {
        this.#watchers = this.#watchers.filter((x) => x !== w);
        if (this.#state !== 'running') return;
        this.emit('warning', new Error('a lease bucket watch ended; reopening it'));
        setTimeout(() => {
          this.#watch(kv, onEntry).catch((err: unknown) => {
            if (this.#state === 'running') this.emit('warning', asError(err));
          });
        }, this.options.heartbeatMs).unref();
      });
  }

  #stopWatches(): void {
    for (const w of this.#watchers) w.stop();
    this.#watchers = [];
  }

  #rebalanceSoon(): void {
    if (this.#state !== 'running' || this.#soonTimer !== undefined) return;
    // A short delay folds a burst of KV changes (a peer releasing several partitions) into one pass.
    this.#soonTimer = setTimeout(() => {
      this.#soonTimer = undefined;
      void this.#rebalance();
    }, 20);
  }

  #serial(h: Held, op: () => Promise<void>): Promise<void> {
    const next = h.queue.then(op, op);
    h.queue = next.catch(() => {});
    return next;
  }

  async #renewAll(): Promise<void> {
    if (this.#renewing) return;
    this.#renewing = true;
    try {
      if (this.#state === 'running') {
        try {
          await this.#members.put(this.#memberKey, this.#memberValue());
        } catch (err) {
          this.emit('warning', asError(err));
        }
      }
      const renewals: Promise<void>[] = [];
      for (const [p, h] of this.#held) renewals.push(this.#renew(p, h));
      await Promise.all(renewals);
    } finally {
      this.#renewing = false;
    }
  }

  #renew(p: number, h: Held): Promise<void> {
    return this.#serial(h, async () => {
      if (this.#held.get(p) !== h) return;
      try {
        h.revision = await this.#leases.update(leaseKey(p), this.#leaseValue(), h.revision);
        h.renewedAt = Date.now();
      } catch (err) {
        if (this.#held.get(p) !== h) return;
        if (isCasFailure(err)) {
          await this.#revoke(p, h, 'lease expired or taken by another engine');
        } else if (Date.now() - h.renewedAt >= this.options.ttlMs - this.options.heartbeatMs) {
          // Not known lost, but the server may expire it before we can renew: stop trusting it.
          await this.#revoke(
            p,
            h,
            `lease not renewed for ${Date.now() - h.renewedAt} ms: ${asError(err).message}`,
          );
        } else {
          this.emit('warning', asError(err));
        }
      }
    });
  }

  async #revoke(p: number, h: Held, reason: string): Promise<void> {
    if (this.#held.get(p) !== h) return;
    this.#held.delete(p);
    this.emit('revoked', p, reason);
    try {
      await this.#handlers.onRevoked(p);
    } catch (err) {
      this.emit('warning', asError(err));
    }
    this.#rebalanceSoon();
  }

  async #rebalance(): Promise<void> {
    if (this.#state !== 'running') return;
    if (this.#rebalancing !== null) {
      this.#again = true;
      return this.#rebalancing;
    }
    this.#rebalancing = (async () => {
      do {
        this.#again = false;
        try {
          await this.#rebalanceOnce();
        } catch (err) {
          this.emit('warning', asError(err));
        }
      } while (this.#again && this.#state === 'running');
    })();
    try {
      await this.#rebalancing;
    } finally {
      this.#rebalancing = null;
    }
  }

  async #rebalanceOnce(): Promise<void> {
    const members = await this.#countMembers();
    if (this.#state !== 'running') return;
    this.#lastMembers = members;
    const share = Math.ceil(this.options.partitions / members);
    const active: number[] = [];
    for (const [p, h] of this.#held) if (!h.releasing) active.push(p);
    active.sort((a, b) => a - b);
    if (active.length > share) {
      for (let i = active.length - 1; i >= share && this.#state === 'running'; i--) {
        await this.#release(active[i]!);
      }
    } else if (active.length < share) {
      const taken = this.#takenPartitions();
      const wanted: number[] = [];
      for (let p = 0; p < this.options.partitions && active.length + wanted.length < share; p++) {
        if (!taken.has(p) && !this.#held.has(p)) wanted.push(p);
      }
      // Claim in parallel: each onAcquired restores and replays its partition, and a takeover
      // should not wait for them one after another. A claim lost to another engine is simply
      // retried on the next pass if we are still short.
      if (this.#state === 'running') await Promise.all(wanted.map((p) => this.#claim(p)));
    }
    this.emit('rebalanced', { owned: this.owned(), members, share });
  }

  async #countMembers(): Promise<number> {
    const now = Date.now();
    let n = this.#liveMembers.live(now).length;
    if (!this.#liveMembers.has(this.#memberKey, now) && this.#state === 'running') {
      // Our key expired (a stall longer than the TTL): announce again before counting on it.
      await this.#members.put(this.#memberKey, this.#memberValue());
      n++;
    }
    return n;
  }

  #takenPartitions(): Set<number> {
    const taken = new Set<number>();
    for (const k of this.#liveLeases.live(Date.now())) {
      if (k.startsWith('p.')) taken.add(Number(k.slice(2)));
    }
    return taken;
  }

  async #claim(p: number): Promise<boolean> {
    let revision: number;
    try {
      revision = await this.#leases.create(leaseKey(p), this.#leaseValue());
    } catch (err) {
      if (isCasFailure(err)) return false;
      throw err;
    }
    const h: Held = { revision, releasing: false, renewedAt: Date.now(), queue: Promise.resolve() };
    this.#held.set(p, h);
    if (this.#state !== 'running') {
      await this.#release(p, false);
      return false;
    }
    try {
      await this.#handlers.onAcquired(p);
    } catch (err) {
      this.emit('warning', asError(err));
      await this.#release(p, false);
      return false;
    }
    if (this.#held.get(p) !== h) return false;
    this.emit('acquired', p);
    return true;
  }

  async #release(p: number, notify = true): Promise<void> {
    const h = this.#held.get(p);
    if (h === undefined || h.releasing) return;
    h.releasing = true;
    if (notify) {
      try {
        await this.#handlers.onReleasing(p);
      } catch (err) {
        // Keeping the lease would stall the partition for good; unacked messages are redelivered
        // to the next owner, so at-least-once still holds.
        this.emit('warning', asError(err));
      }
    }
    await this.#serial(h, async () => {
      if (this.#held.get(p) !== h) return;
      try {
        await this.#leases.delete(leaseKey(p), { previousSeq: h.revision });
      } catch (err) {
        // Lost meanwhile, or the server is away: either way the key expires within the TTL.
        this.emit('warning', asError(err));
      }
      this.#held.delete(p);
      this.emit('released', p);
    });
  }
}
