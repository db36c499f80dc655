import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { watchRedisOutage, type Logger } from '@bootsync/shared/logging';
import type { RegionOptions } from './config/index.js';
import { createRepositories, openRegionDatabase, type Repositories } from './db/index.js';
import { ensureDefaultBootSource } from './default-source.js';
import { createSourceProber } from './source-prober.js';
import { createHttpApp, redisCheck, sqliteCheck, storeWritableCheck, type HttpPart } from './http/index.js';
import { ensureRegionIdentity, type RegionIdentity } from './identity/index.js';
import type { ImportService } from './import/index.js';
import { createRegionMetrics, type RegionMetrics } from './metrics/index.js';

export interface RunningRegion {
  readonly identity: RegionIdentity;
  readonly repositories: Repositories;
  readonly metrics: RegionMetrics;
  readonly http: FastifyInstance;
  /** `http://HOST:PORT` the HTTP server listens on (the real port when --listen asked for port 0). */
  readonly url: string;
  readonly imports: ImportService | undefined;
  /** Stops imports (partials kept), HTTP, Redis and the database; resolves when all are closed. */
  stop(): Promise<void>;
}

/**
 * A piece of the region beside the import (the racks, the API, the page): its routes, registered before the server
 * listens, and its lifecycle, started after it listens and stopped before it closes.
 */
export interface RegionPart {
  readonly name: string;
  readonly http?: HttpPart;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface RegionContext {
  readonly repositories: Repositories;
  readonly identity: RegionIdentity;
  readonly metrics: RegionMetrics;
}

/** What the daemon runs but other parts of the region own; the bin passes them all (extensions.ts), tests fewer. */
export interface RegionExtensions {
  createImports?(ctx: RegionContext): ImportService;
  createParts?(ctx: RegionContext & { readonly imports: ImportService | undefined }): RegionPart[];
}

/**
 * The composition root: data dir and identity, database (migrated), default source, HTTP (health, metrics, API),
 * then the import service. HTTP listens before imports start so /readyz can tell an operator that Redis is missing.
 */
export async function startRegion(options: RegionOptions, logger: Logger, extensions: RegionExtensions = {}): Promise<RunningRegion> {
  const started = Date.now();
  const identity = await ensureRegionIdentity(options.dataDir);
  const db = openRegionDatabase(identity.paths.database);
  const repositories = createRepositories(db);
  const abandoned = repositories.importRuns.closeAbandoned();
  if (abandoned > 0) logger.warn({ event: 'region.import_runs_abandoned', count: abandoned }, 'closed import runs left running by a previous process');
  const prober = createSourceProber(repositories.config, { maxDocumentSize: options.maxDocumentSize, log: logger });
  const created = await ensureDefaultBootSource(repositories, {
    url: options.defaultSourceUrl,
    keyringFilename: options.defaultKeyring,
    read: (source, signal) => prober.probe({ ...source, skipKeyringVerification: false }, signal),
    log: logger,
  });
  if (created) logger.info({ event: 'region.default_source_created', url: created.url, keyring: created.keyringFilename }, 'created the default boot source');

  const metrics = createRegionMetrics();
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  watchRedisOutage(redis, { logger, error: 'region.redis_unavailable', restored: 'region.redis.restored' });
  redis.connect().catch(() => undefined);

  const ctx: RegionContext = { repositories, identity, metrics };
  const imports = extensions.createImports?.(ctx);
  const parts = extensions.createParts?.({ ...ctx, imports }) ?? [];
  const http = await createHttpApp({
    logger,
    metrics: metrics.registry,
    readiness: [sqliteCheck(db), redisCheck(redis), storeWritableCheck(identity.paths.store)],
    parts: parts.flatMap((p) => (p.http ? [p.http] : [])),
  });
  await http.listen({ host: options.listen.host, port: options.listen.port });
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : options.listen.port;
  const url = `http://${options.listen.host.includes(':') ? `[${options.listen.host}]` : options.listen.host}:${port}`;

  // Not awaited: with Redis down the queues wait for it, and the region must still answer /readyz meanwhile.
  const startedServices = Promise.all([
    imports?.start().catch((err: unknown) => logger.error({ event: 'region.start_failed', part: 'import', err }, 'import service failed to start')),
    ...parts.map((p) => p.start?.().catch((err: unknown) => logger.error({ event: 'region.start_failed', part: p.name, err }, `${p.name} failed to start`))),
  ]);
  logger.info({ event: 'region.started', url, regionId: identity.regionId, dataDir: identity.paths.root, ms: Date.now() - started }, 'region started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const t0 = Date.now();
      logger.info({ event: 'region.stopping' }, 'region stopping');
      await startedServices;
      await imports?.stop();
      for (const p of [...parts].reverse()) await p.stop?.();
      await http.close();
      redis.disconnect();
      db.close();
      logger.info({ event: 'region.stopped', ms: Date.now() - t0 }, 'region stopped');
    })());

  return { identity, repositories, metrics, http, url, imports, stop };
}
