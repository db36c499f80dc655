import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { watchRedisOutage, type Logger } from '@bootsync/shared/logging';
import { connectRedis, redisSentinel, type RedisSentinel } from '@bootsync/shared/redis';
import { ContentStore } from '@bootsync/shared/store';
import { MAAS_API_PREFIX, maasApiPlugin, type SourceProber } from './api/index.js';
import { advertisedUrl, type RegionOptions } from './config/index.js';
import type { Repositories } from './db/index.js';
import { ensureDefaultBootSource } from './default-source.js';
import { createHttpApp, databaseCheck, redisCheck, storeWritableCheck, type HttpPart } from './http/index.js';
import type { RegionIdentity } from './identity/index.js';
import { ImportService, repairTrigger } from './import/index.js';
import { StoreScrub } from './integrity/index.js';
import { createRegionMetrics, type RegionMetrics } from './metrics/index.js';
import { imagesPagePlugin } from './page/index.js';
import { RackService } from './racks/index.js';
import { openRegionState } from './region-state.js';
import { createSourceProber } from './source-prober.js';
import { UploadService } from './uploads/index.js';

/**
 * How much of the region runs. `full` is what the bin runs: the core, the import service (src/import), the racks
 * (src/racks: region stream, registration, per-rack queues), the MAAS API (src/api) under /MAAS/api/2.0, the Images
 * page (src/page) and the store's scrub (src/integrity). `core` is the data dir, the database, the default source,
 * health and metrics alone, for the tests of those.
 */
export type RegionScope = 'core' | 'full';

export interface RunningRegion {
  readonly identity: RegionIdentity;
  readonly repositories: Repositories;
  readonly metrics: RegionMetrics;
  readonly http: FastifyInstance;
  /** `http://HOST:PORT` the HTTP server listens on (the real port when --listen asked for port 0). */
  readonly url: string;
  /** How racks reach this region (--advertise-url, else derived from `url`): what registration tells them. */
  readonly advertiseUrl: string;
  /** The import service (`full` only). */
  readonly imports: ImportService | undefined;
  /** Stops imports (partials kept), HTTP, Redis and the database; resolves when all are closed. */
  stop(): Promise<void>;
}

/** A service beside the core: its routes, registered before the server listens, and its lifecycle. */
interface RegionService {
  readonly name: string;
  readonly http?: HttpPart;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** What the region's services are built from: each built once, here, and passed to all that use it. */
interface RegionCore {
  readonly options: RegionOptions;
  readonly logger: Logger;
  readonly identity: RegionIdentity;
  readonly repositories: Repositories;
  readonly store: ContentStore;
  readonly prober: SourceProber;
  readonly metrics: RegionMetrics;
  /** This region's advertise URL, known once the HTTP server listens (the port may be the OS's choice). */
  readonly advertised: () => string;
  /** --redis-sentinels and --redis-sentinel-name, when Redis is reached through Sentinel. */
  readonly sentinel: RedisSentinel | undefined;
}

/**
 * The composition root: data dir and identity, database (migrated) and repositories, content store, source prober,
 * default source, Redis, HTTP (health, metrics, and the services' routes), then the services. HTTP listens before
 * the services start so /readyz can tell an operator that Redis is missing.
 */
export async function startRegion(options: RegionOptions, logger: Logger, scope: RegionScope = 'core'): Promise<RunningRegion> {
  const started = Date.now();
  const sentinel = redisSentinel(options);
  const { identity, repositories } = await openRegionState(options);
  for (const file of identity.replacedFiles) {
    logger.warn({ event: 'region.identity_file_replaced', file }, `${file} held another value than the region's database: rewritten with the database's`);
  }
  const abandoned = await repositories.importRuns.closeAbandoned();
  if (abandoned > 0) logger.warn({ event: 'region.import_runs_abandoned', count: abandoned }, 'closed import runs left running by a previous process');
  const store = new ContentStore({ root: identity.paths.store });
  const prober = createSourceProber(repositories.config, { maxDocumentSize: options.maxDocumentSize, log: logger });
  const created = await ensureDefaultBootSource(repositories, {
    url: options.defaultSourceUrl,
    keyringFilename: options.defaultKeyring,
    read: (source, signal) => prober.probe({ ...source, skipKeyringVerification: false }, signal),
    log: logger,
  });
  if (created) logger.info({ event: 'region.default_source_created', url: created.url, keyring: created.keyringFilename }, 'created the default boot source');

  const metrics = createRegionMetrics();
  const redis = connectRedis(options.redisUrl, sentinel, { maxRetriesPerRequest: 1, lazyConnect: true });
  watchRedisOutage(redis, { logger, error: 'region.redis_unavailable', restored: 'region.redis.restored' });
  redis.connect().catch(() => undefined);

  let advertising: string | undefined;
  const advertised = (): string => {
    if (advertising === undefined) throw new Error('the advertise URL is read before the region listens');
    return advertising;
  };
  const core: RegionCore = { options, logger, identity, repositories, store, prober, metrics, advertised, sentinel };
  const { imports, services } = scope === 'full' ? fullRegion(core) : { imports: undefined, services: [] };
  const http = await createHttpApp({
    logger,
    metrics: metrics.registry,
    readiness: [databaseCheck(repositories.db), redisCheck(redis), storeWritableCheck(identity.paths.store)],
    parts: services.flatMap((s) => (s.http ? [s.http] : [])),
  });
  await http.listen({ host: options.listen.host, port: options.listen.port });
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : options.listen.port;
  const url = `http://${options.listen.host.includes(':') ? `[${options.listen.host}]` : options.listen.host}:${port}`;
  const advertiseUrl = (advertising = advertisedUrl(options.advertiseUrl, options.listen, port, hostname()));

  // Not awaited: with Redis down the queues wait for it, and the region must still answer /readyz meanwhile.
  const startedServices = Promise.all(
    services.map((s) => s.start?.().catch((err: unknown) => logger.error({ event: 'region.start_failed', part: s.name, err }, `${s.name} failed to start`))),
  );
  logger.info({ event: 'region.started', url, advertiseUrl, regionId: identity.regionId, dataDir: identity.paths.root, database: repositories.db.dialect, ms: Date.now() - started }, 'region started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const t0 = Date.now();
      logger.info({ event: 'region.stopping' }, 'region stopping');
      await startedServices;
      for (const s of [...services].reverse()) await s.stop?.();
      await http.close();
      redis.disconnect();
      await repositories.db.close();
      logger.info({ event: 'region.stopped', ms: Date.now() - t0 }, 'region stopped');
    })());

  return { identity, repositories, metrics, http, url, advertiseUrl, imports, stop };
}

/** The services of the whole region. They start together and stop one by one from the last: the import first. */
function fullRegion(core: RegionCore): { imports: ImportService; services: RegionService[] } {
  const { options, logger, identity, repositories, store, prober, metrics, advertised, sentinel } = core;
  const redisSentinelDeps = sentinel ? { redisSentinel: sentinel } : {};
  const imports = new ImportService({
    repos: repositories,
    store,
    redisUrl: options.redisUrl,
    ...redisSentinelDeps,
    redisPrefix: identity.redisPrefix,
    schedule: options.importSchedule,
    retention: options.retention,
    maxDocumentSize: options.maxDocumentSize,
    downloadClient: options.downloadClient,
    logger,
    metrics,
  });
  const racks = new RackService({
    repos: repositories,
    store,
    secret: identity.secret,
    redisUrl: options.redisUrl,
    ...redisSentinelDeps,
    redisPrefix: identity.redisPrefix,
    syncIntervalMs: options.syncInterval,
    // Today this region alone; a cluster adds its live peers.
    liveRegions: () => [advertised()],
    logger,
    isImporting: () => imports.isImporting(),
    metrics: metrics.racks,
    serving: metrics.stream,
    maxRackTransfers: options.maxRackTransfers,
    transfersInFlight: (count) => metrics.rackTransfersInFlight.set(count),
    ...(options.accelRedirect !== undefined ? { accelRedirect: options.accelRedirect } : {}),
  });
  // As MAAS schedules RackControllersImporter: racks pull a finished upload now.
  const uploads = new UploadService({ repos: repositories, store, logger, onPublished: () => racks.importBootImages() });
  const services: RegionService[] = [
    { name: 'racks', http: (app) => racks.registerRoutes(app), start: () => racks.start(), stop: () => racks.stop() },
    {
      name: 'api',
      http: async (app) => {
        await app.register(maasApiPlugin, { prefix: MAAS_API_PREFIX, deps: { ...repositories, imports, prober, racks, uploads } });
      },
    },
    {
      name: 'page',
      http: async (app) => {
        await app.register(imagesPagePlugin);
      },
    },
  ];
  if (options.scrubInterval > 0) {
    const requestRepair = repairTrigger(imports, logger);
    const scrub = new StoreScrub({ repos: repositories, store, logger, metrics: metrics.scrub, intervalMs: options.scrubInterval, requestRepair });
    services.push({ name: 'scrub', start: async () => scrub.start(), stop: () => scrub.stop() });
  }
  // A finished import tells the racks, which then sync what changed.
  let unsubscribe: (() => void) | undefined;
  services.push({
    name: 'import',
    async start() {
      unsubscribe = imports.onImportFinished((event) => void racks.onImportFinished(event));
      await imports.start();
    },
    async stop() {
      unsubscribe?.();
      await imports.stop();
    },
  });
  return { imports, services };
}
