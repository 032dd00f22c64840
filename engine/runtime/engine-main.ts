import { readFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { IndicatorProgram } from '../../actors/index.js';
import type { EngineConfig } from '../config/index.js';
import { runConfigCli } from '../config/index.js';
import { startOpsServer } from '../http/ops-server.js';
import { provisionStreams } from '../nats/index.js';
import { createEngineMetrics, createLogger, MetricsAggregator } from '../observability/index.js';
import { ensureTables } from '../sink/index.js';
import { Supervisor } from './supervisor.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
}

/** A running engine, for tests and for the CLI's signal handling. */
export interface RunningEngine {
  config: EngineConfig;
  opsPort: number;
  supervisor: Supervisor;
  /** Graceful stop: release partitions (drain, flush, ack, snapshot), close everything. */
  stop(): Promise<void>;
}

/**
 * Starts an engine process: validates config, provisions streams and tables,
 * starts the ops server and the shards, and claims partitions.
 */
export async function startEngine(config: EngineConfig): Promise<RunningEngine> {
  const log = createLogger(config, 'engine');
  const metrics = createEngineMetrics({ version: version() });
  const aggregator = new MetricsAggregator(metrics);
  const nc = await connect({
    servers: config.nats.servers,
    name: config.nats.name,
    maxReconnectAttempts: -1,
  });
  let supervisor: Supervisor | null = null;
  let ops: Awaited<ReturnType<typeof startOpsServer>> | null = null;
  try {
    const s = config.streams;
    await provisionStreams(nc, {
      partitions: s.partitions,
      // 0 / -1 in the engine's config mean "no limit": leave the stream's limit unset.
      ...(s.maxAgeMs > 0 ? { inputMaxAgeMs: s.maxAgeMs } : {}),
      ...(s.maxBytes > 0 ? { inputMaxBytes: s.maxBytes } : {}),
      duplicateWindowMs: s.duplicateWindowMs,
      ackWaitMs: s.ackWaitMs,
      maxAckPending: s.maxAckPending,
      replicas: s.replicas,
    });
    await ensureTables(config.questdb.httpUrl, {
      ...(config.questdb.ttlDays > 0 ? { ttlDays: config.questdb.ttlDays } : {}),
      indicatorColumns: new IndicatorProgram(config.actors.indicators).outputNames,
    });
    const sup = new Supervisor(config, nc, log, metrics, aggregator);
    supervisor = sup;
    ops = await startOpsServer({
      host: config.http.host,
      port: config.http.port,
      registry: metrics.registry,
      version: version(),
      checks: {
        nats: () => !nc.isClosed(),
        questdb: async () => (await fetch(`${config.questdb.httpUrl}/exec?query=select%201`)).ok,
        partitions: () => sup.owned().length > 0,
      },
    });
    await sup.start();
  } catch (err) {
    // Leave nothing running behind a failed start.
    await supervisor?.stop().catch(() => undefined);
    await ops?.close().catch(() => undefined);
    await nc.close().catch(() => undefined);
    throw err;
  }
  const sup = supervisor;
  const opsServer = ops;
  log.info(
    { id: config.engine.id, shards: config.engine.shards, partitions: sup.owned(), ops: opsServer.port },
    'engine started',
  );
  let stopped: Promise<void> | null = null;
  return {
    config,
    opsPort: opsServer.port,
    supervisor: sup,
    stop(): Promise<void> {
      stopped ??= (async () => {
        log.info({}, 'stopping: releasing partitions');
        await sup.stop();
        await opsServer.close();
        await nc.drain();
        log.info({}, 'stopped');
      })();
      return stopped;
    },
  };
}

/** `tickflow engine`: runs until SIGTERM/SIGINT, then stops gracefully. */
export async function runEngine(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const config = runConfigCli(argv, env);
  if (config === undefined) return process.exitCode === undefined ? 2 : Number(process.exitCode);
  const engine = await startEngine(config);
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      void engine.stop().then(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  return 0;
}
