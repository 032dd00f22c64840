import { Packr } from 'msgpackr';
import type { ActorSnapshot } from '../../actors/index.js';

/** Version of the partition snapshot envelope. */
export const PARTITION_SNAPSHOT_VERSION = 1;

/**
 * Everything one partition's actors need to resume: their state after
 * exactly the messages up to `tradesSeq` / `quotesSeq` of the input streams
 * (both processed, flushed and acked when the snapshot was taken).
 */
export interface PartitionSnapshot {
  v: number;
  partition: number;
  tradesSeq: number;
  quotesSeq: number;
  takenAt: number;
  actors: ActorSnapshot[];
}

// Snapshots never leave tickflow, but stay standard msgpack anyway: they are
// read back by a possibly newer engine.
const packr = new Packr({ useRecords: false, moreTypes: false });

export function encodePartitionSnapshot(s: PartitionSnapshot): Uint8Array {
  return packr.pack(s);
}

/** Decodes a snapshot; null (with the reason) when it is not one this engine can resume from. */
export function decodePartitionSnapshot(
  bytes: Uint8Array,
  partition: number,
): { ok: true; snapshot: PartitionSnapshot } | { ok: false; reason: string } {
  let s: PartitionSnapshot;
  try {
    s = packr.unpack(bytes) as PartitionSnapshot;
  } catch (err) {
    return { ok: false, reason: `undecodable snapshot (${(err as Error).message})` };
  }
  if (typeof s !== 'object' || s === null || s.v !== PARTITION_SNAPSHOT_VERSION) {
    return {
      ok: false,
      reason: `snapshot version ${String((s as { v?: unknown })?.v)} is not ${PARTITION_SNAPSHOT_VERSION}`,
    };
  }
  if (s.partition !== partition)
    return { ok: false, reason: `snapshot is of partition ${s.partition}, not ${partition}` };
  if (!Array.isArray(s.actors) || !Number.isSafeInteger(s.tradesSeq) || !Number.isSafeInteger(s.quotesSeq)) {
    return { ok: false, reason: 'snapshot is missing its actors or sequences' };
  }
  return { ok: true, snapshot: s };
}
