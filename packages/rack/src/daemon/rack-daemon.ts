import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { watchRedisOutage, type Logger } from '@bootsync/shared/logging';
import { DEFAULT_RETRY } from '@bootsync/shared/download';
import { bearer, RACK_QUEUE_OPTIONS, RegionRoster, registerWithRegions } from '@bootsync/shared/rack-protocol';
import { connectRedis } from '@bootsync/shared/redis';
import { ContentStore } from '@bootsync/shared/store';
import type { RackConfig } from '../config/index.js';
import { IntegrityGuard, RackScrub } from '../integrity/index.js';
import { RackMetrics } from '../metrics/index.js';
import { RegionLink, rememberedRegions, rememberRegions } from '../regions/index.js';
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
 * Starts a rack: serve `current/` at once (a restarted rack keeps booting machines), register with a region (the
 * configured ones in turn, then those the last registration named, remembered in the data dir), then run a BullMQ
 * worker on the rack's queue. `stop()` aborts a running sync so `worker.close()` cannot hang.
 */
export async function startRackDaemon(config: RackConfig, logger: Logger, options: { downloaderRetry?: { attempts?: number; budgetMs?: number; baseDelayMs?: number } } = {}): Promise<RackDaemon> {
  const stopping = new AbortController();
  const metrics = new RackMetrics(config.name);
  const cache = new ContentStore({ root: join(config.dataDir, 'cache') });
  const lock = new SerialLock();
  const redis = connectRedis(config.redisUrl, config.redisSentinel, { maxRetriesPerRequest: null });
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
  const roster = new RegionRoster(config.regionUrls, await rememberedRegions(config.dataDir, logger));
  let registration;
  try {
    registration = await registerWithRegions(roster, { name: config.name, secret, secretFile: config.secretFile, logger, signal: stopping.signal });
  } catch (err) {
    await server.close();
    redis.disconnect();
    throw err;
  }
  const registeredAt = roster.current;
  roster.learn(registration.regions);
  logger.info({ event: 'rack.registered', rack: config.name, queue: registration.queue, region: registeredAt, regions: roster.urls });
  // Not remembering them costs only the way to a region that is gone for good; the rack works on.
  await rememberRegions(config.dataDir, registration.regions).catch((err: unknown) => logger.warn({ event: 'rack.regions.unwritable', rack: config.name, err }));
  const authorization = { authorization: bearer(registration.token) };
  const regions = new RegionLink({ roster, rack: config.name, logger, streamPath: registration.streamPath, headers: () => authorization });
  const retry = { ...DEFAULT_RETRY, ...options.downloaderRetry };
  const downloader = regionDownloader({
    token: registration.token,
    store: cache,
    httpClient: config.downloadClient,
    retry,
    failFast: regions.regions > 1,
  });
  const integrity = new IntegrityGuard({ dataDir: config.dataDir, cache, lock, metrics, logger, rack: config.name });
  const deps = { dataDir: config.dataDir, cache, downloader, regions, retry, metrics, logger, lock, graceMs: config.snapshotGraceMs, integrity };

  const worker = startSyncWorker({
    rack: config.name,
    regionUrl: registeredAt,
    registration,
    connection: redis,
    stopping: stopping.signal,
    sync: (sync) => syncRack(deps, sync),
    onFailure: (err) => logger.warn({ event: 'rack.sync.failed', rack: config.name, err }),
  });
  // While Redis is away the worker fails with it on every attempt: that outage is logged once, above.
  worker.on('error', (err) => {
    if (!outage.covers(err)) logger.warn({ event: 'rack.worker.error', rack: config.name, err });
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
