import { availableParallelism, hostname } from 'node:os';
import type { ActorConfig } from '../../actors/index.js';
import { DEFAULT_ACTOR_CONFIG } from '../../actors/index.js';
import type { EngineConfig } from './engine-config.js';

/** Facts about the machine that some defaults depend on; injected so tests get stable defaults. */
export interface HostFacts {
  hostname: string;
  pid: number;
  cores: number;
}

/** The running process's facts. */
export function currentHostFacts(): HostFacts {
  return { hostname: hostname(), pid: process.pid, cores: availableParallelism() };
}

/**
 * The default engine id: `<hostname>-<pid>`, with characters an id does not accept turned into '-'
 * and cut to 64 characters, so a default is always a valid id.
 */
export function defaultEngineId(host: HostFacts): string {
  const id = `${host.hostname.replace(/[^A-Za-z0-9._-]/g, '-')}-${host.pid}`;
  return id.length <= 64 ? id : id.slice(id.length - 64);
}

/** A fresh, fully populated config holding every default; callers may mutate it. */
export function defaultEngineConfig(host: HostFacts = currentHostFacts()): EngineConfig {
  return {
    // The project's own local stack (`make up`), never a server that merely happens to run on 4222/9000.
    nats: { servers: ['nats://127.0.0.1:14222'], name: 'tickflow-engine' },
    streams: {
      partitions: 8,
      maxAgeMs: 86_400_000,
      maxBytes: -1,
      duplicateWindowMs: 120_000,
      maxAckPending: 10_000,
      replicas: 1,
      ackWaitMs: 30_000,
      fetchBatch: 256,
      fetchExpiresMs: 5_000,
    },
    engine: {
      id: defaultEngineId(host),
      shards: Math.min(256, Math.max(1, host.cores)),
      mailboxMessages: 8_192,
      leaseTtlMs: 5_000,
      snapshotIntervalMs: 30_000,
      snapshotEveryMessages: 100_000,
      timerTickMs: 250,
      flushIntervalMs: 1000,
    },
    questdb: {
      ilpUrl: 'http://127.0.0.1:19000',
      httpUrl: 'http://127.0.0.1:19000',
      ttlDays: 30,
      flushRows: 10_000,
      openRowsEveryMs: 1_000,
      retryMinMs: 100,
      retryMaxMs: 10_000,
    },
    outputs: { publish: true, kinds: ['candle', 'indicator', 'alert'] },
    actors: cloneActorConfig(DEFAULT_ACTOR_CONFIG),
    http: { host: '0.0.0.0', port: 9464 },
    log: { level: 'info' },
  };
}

/** The actors' defaults are frozen; the loader writes into its copy key by key. */
function cloneActorConfig(c: ActorConfig): ActorConfig {
  return JSON.parse(JSON.stringify(c)) as ActorConfig;
}
