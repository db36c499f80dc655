import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { watchRedisOutage, type Logger } from '@bootsync/shared/logging';
import { bearer, RACK_QUEUE_OPTIONS, RegionStreamClient, registerWithRegion } from '@bootsync/shared/rack-protocol';
import { ContentStore } from '@bootsync/shared/store';
import type { RackConfig } from '../config/index.js';
import { IntegrityGuard, RackScrub } from '../integrity/index.js';
import { RackMetrics } from '../metrics/index.js';
import { createRackServer } from '../server/index.js';
import { pruneDataDir } from '../snapshot/index.js';
import { SerialLock, syncRack } from '../sync/index.js';
import { requestRepair } from './repair-job.js';
import { regionDownloader, startSyncWorker } from './sync-worker.js';

export interface RackDaemon {
  /** `http://host:port` the rack serves on. */
  readonly url: string;
  readonly queue: string;
  stop(): Promise<void>;
}

/**
 * Starts a rack: serve `current/` at once (a restarted rack keeps booting machines), register with the region,
 * then run a BullMQ worker on the rack's queue. `stop()` aborts a running sync so `worker.close()` cannot hang.
 */
export async function startRackDaemon(config: RackConfig, logger: Logger, options: { downloaderRetry?: { attempts?: number; budgetMs?: number; baseDelayMs?: number } } = {}): Promise<RackDaemon> {
  const stopping = new AbortController();
  const metrics = new RackMetrics(config.name);
  const cache = new ContentStore({ root: join(config.dataDir, 'cache') });
  const lock = new SerialLock();
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const outage = watchRedisOutage(redis, { logger, error: 'rack.redis.error', restored: 'rack.redis.restored', fields: { rack: config.name } });
  const server = createRackServer({
    dataDir: config.dataDir,
    metrics,
    logger,
    readiness: { redis: async () => redis.status === 'ready' },
    ...(config.accelRedirect !== undefined ? { accelRedirect: config.accelRedirect } : {}),
  });
  const url = await server.listen({ host: config.listen.host, port: config.listen.port });
  const secret = (await readFile(config.secretFile, 'utf8')).trim();
  let registration;
  try {
    registration = await registerWithRegion({ regionUrl: config.regionUrl, name: config.name, secret, secretFile: config.secretFile, logger, signal: stopping.signal });
  } catch (err) {
    await server.close();
    redis.disconnect();
    throw err;
  }
  logger.info({ event: 'rack.registered', rack: config.name, queue: registration.queue });
  const authorization = { authorization: bearer(registration.token) };
  const client = new RegionStreamClient({ regionUrl: config.regionUrl, streamPath: registration.streamPath, headers: () => authorization });
  const downloader = regionDownloader({
    token: registration.token,
    store: cache,
    httpClient: config.downloadClient,
    ...(options.downloaderRetry ? { retry: options.downloaderRetry } : {}),
  });
  const integrity = new IntegrityGuard({ dataDir: config.dataDir, cache, lock, metrics, logger, rack: config.name });
  const deps = { dataDir: config.dataDir, cache, downloader, client, metrics, logger, lock, graceMs: config.snapshotGraceMs, integrity };

  const worker = startSyncWorker({
    rack: config.name,
    regionUrl: config.regionUrl,
    registration,
    connection: redis,
    stopping: stopping.signal,
    sync: (sync) => syncRack(deps, sync),
    onFailure: (err) => logger.warn({ event: 'rack.sync.failed', rack: config.name, err }),
  });
  // While Redis is away the worker fails with it on every attempt: that outage is logged once, above.
  worker.on('error', (err) => {
    if (!outage.down) logger.warn({ event: 'rack.worker.error', rack: config.name, err });
  });
  // A scrub that withheld a file asks for a sync now: the region sees the rack syncing, and the sync repairs it.
  const ownQueue = new Queue(registration.queue, { connection: redis, prefix: registration.prefix, ...RACK_QUEUE_OPTIONS });
  ownQueue.on('error', () => undefined);
  integrity.onDamage = () => void requestRepair(ownQueue).catch((err: unknown) => logger.warn({ event: 'rack.repair.queue_failed', rack: config.name, err }));
  const scrub = new RackScrub({ cache, guard: integrity, metrics, logger, rack: config.name, intervalMs: config.scrubIntervalMs });
  scrub.start();
  const pruning = setInterval(() => {
    void lock.run(() => pruneDataDir({ dataDir: config.dataDir, cache, graceMs: config.snapshotGraceMs })).catch((err: unknown) =>
      logger.warn({ event: 'rack.prune.failed', err }),
    );
  }, config.pruneIntervalMs);
  pruning.unref();

  return {
    url,
    queue: registration.queue,
    async stop() {
      clearInterval(pruning);
      stopping.abort();
      await scrub.stop();
      await worker.close();
      await ownQueue.close();
      await downloader.close();
      await server.close();
      redis.disconnect();
    },
  };
}
