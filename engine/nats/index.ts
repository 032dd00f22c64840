/**
 * Public entry point of `engine/nats/`: JetStream provisioning, partition leases, snapshot
 * storage and the partition pull loop. Anything not listed here is internal to this folder.
 */

export { NATS_ERROR_CODES, NatsEngineError, type NatsErrorCode } from './errors.js';
export {
  type ConsumerLoopOptions,
  type LeaseOptions,
  MAX_ENGINE_PARTITIONS,
  type ProvisionOptions,
  type ResolvedConsumerLoopOptions,
  type ResolvedLeaseOptions,
  type ResolvedProvisionOptions,
  type ResolvedSnapshotOptions,
  resolveConsumerLoopOptions,
  resolveLeaseOptions,
  resolveProvisionOptions,
  resolveSnapshotOptions,
  type SnapshotOptions,
} from './options.js';
export {
  type ConsumerLag,
  type ConsumerStats,
  PartitionConsumer,
  type PartitionConsumerConfig,
} from './partition-consumer.js';
export {
  type LeaseBalance,
  type PartitionLeaseEvents,
  type PartitionLeaseHandlers,
  PartitionLeases,
} from './partition-leases.js';
export {
  INPUT_STREAMS,
  type ProvisionResult,
  partitionConsumerName,
  provisionStreams,
  readPartitionCount,
  STREAMS,
} from './provisioning.js';
export {
  type Snapshot,
  type SnapshotManifest,
  SnapshotStore,
  type SnapshotStoreOptions,
} from './snapshot-store.js';
