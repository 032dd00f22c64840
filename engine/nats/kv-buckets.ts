/**
 * Opening the KV buckets tickflow keeps its coordination state in. Kvm.create only creates a
 * missing bucket and never reconciles an existing one, so the settings that matter are checked
 * after opening: two engines with different lease TTLs would disagree about who is alive.
 */
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { NatsEngineError } from './errors.js';

/** What a bucket must look like; `ttlMs` 0 means keys never expire. */
export interface BucketSpec {
  name: string;
  ttlMs: number;
  history: number;
  description: string;
  /** Copies on a NATS cluster; default 1. */
  replicas?: number;
}

/**
 * Opens `spec.name`, creating it when missing (two engines creating it at once both succeed:
 * the server accepts an identical second create). Rejects with `TF_ERR_NATS_BUCKET_CONFLICT`
 * when an existing bucket has a different TTL or history.
 */
export async function openBucket(nc: NatsConnection, spec: BucketSpec): Promise<KV> {
  const kvm = new Kvm(nc);
  let kv: KV;
  try {
    kv = await kvm.create(spec.name, {
      ttl: spec.ttlMs,
      history: spec.history,
      description: spec.description,
      replicas: spec.replicas ?? 1,
    });
  } catch {
    // A concurrent create that lost the race: the bucket exists now, so open it.
    kv = await kvm.open(spec.name);
  }
  const status = await kv.status();
  if (status.ttl !== spec.ttlMs || status.history !== spec.history) {
    throw new NatsEngineError(
      'TF_ERR_NATS_BUCKET_CONFLICT',
      `KV bucket ${spec.name} has ttl ${status.ttl} ms and history ${status.history}, this engine needs ` +
        `ttl ${spec.ttlMs} ms and history ${spec.history}: start every engine with the same settings`,
    );
  }
  return kv;
}
