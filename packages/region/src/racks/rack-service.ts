import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { ServingMetrics } from '@bootsync/shared/http';
import type { Redis } from 'ioredis';
import { watchRedisOutage, type Logger } from '@bootsync/shared/logging';
import { connectRedis, type RedisSentinel } from '@bootsync/shared/redis';
import {
  bearerToken,
  failureOf,
  rackQueueName,
  readFailure,
  readProgress,
  readResult,
  registrationAnswer,
  STREAM_PATH,
  type HeldImage,
  type RackFailure,
  type RegistrationAnswerFields,
  type SyncReason,
  type SyncResult,
} from '@bootsync/shared/rack-protocol';
import type { ContentStore } from '@bootsync/shared/store';
import { NotFoundError, type RackRecord, type RackRepository, type Repositories } from '../db/index.js';
import { buildRegionStream, productName, publishedImages, type PublishedImage, type RegionStream } from '../region-stream/index.js';
import type { RackSyncState } from '../status/index.js';
import { RACK_STATUSES, type RackGauges } from './rack-metrics.js';
import { RackQueues } from './rack-queues.js';
import { imageRackStates, isConnected, rackStatus } from './rack-status.js';
import { rackBootImages } from './rack-boot-images.js';
import type { RackCounts, RackQuery, RackStatus, RackView } from './rack-types.js';
import { registerRegistrationRoute } from './registration-route.js';
import { StreamCache } from './stream-cache.js';
import { RackTransferLimit } from './rack-transfers.js';
import { isApiUser, registerStreamRoutes, type StreamReader } from './stream-routes.js';

/** How long a status read waits for Redis to say whether the region imports. */
const REDIS_ANSWER_MS = 1_000;
/** Redis requests for as many racks under way at once (one by one, 1,000 racks took seconds of round trips). */
const RACKS_AT_ONCE = 50;

/** What a rack's status is read against, once per request (rackStatus), and what its images are named from. */
interface StatusContext {
  readonly now: Date;
  readonly intervalMs: number;
  readonly regionImporting: boolean;
  readonly offered: readonly HeldImage[];
  readonly published: readonly PublishedImage[];
}

type ResourceName = { readonly name: string; readonly architecture: string };

/** `work` for every item, RACKS_AT_ONCE at a time; the first failure is thrown once all have ended. */
async function eachAtOnce<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await work(items[i] as T).catch((err: unknown) => void failures.push(err));
  };
  await Promise.all(Array.from({ length: Math.min(RACKS_AT_ONCE, items.length) }, lane));
  if (failures.length > 0) throw failures[0];
}

export interface RackServiceDeps {
  readonly repos: Pick<Repositories, 'bootResources' | 'resourceSets' | 'apiKeys' | 'rackRecords'>;
  /** The region store the stream's files are served from. */
  readonly store: Pick<ContentStore, 'pathOf'>;
  /** Contents of `<region data dir>/secret`. */
  readonly secret: string;
  readonly redisUrl: string;
  /** Through Redis Sentinel (--redis-sentinels): the Sentinels name the master, `redisUrl` gives its credentials. */
  readonly redisSentinel?: RedisSentinel;
  readonly redisPrefix: string;
  readonly syncIntervalMs: number;
  /**
   * The base URLs of the live regions, this one's --advertise-url first, which registration gives the racks. Absent
   * (a region under test that advertises no URL): the answer has none, and the rack keeps the URL it registered at.
   */
  readonly liveRegions?: () => readonly string[];
  readonly logger: Logger;
  readonly isImporting: () => Promise<boolean>;
  /** The region's per-rack gauges (createRegionMetrics().racks); they read `list()` at each scrape. */
  readonly metrics?: RackGauges;
  /** The region stream's serving figures (createRegionMetrics().stream). */
  readonly serving?: ServingMetrics;
  /** Behind nginx (--accel-redirect): blobs are answered with X-Accel-Redirect under this prefix. */
  readonly accelRedirect?: string;
  /** How long the racks' requests share one build of the region stream (StreamCache). @defaultValue 1000 */
  readonly streamMaxAgeMs?: number;
  /** --max-rack-transfers: blob transfers to racks sent at once (RackTransferLimit). @defaultValue 0, no limit */
  readonly maxRackTransfers?: number;
  /** Told how many rack transfers are in flight whenever that changes (the region's gauge). */
  readonly transfersInFlight?: (count: number) => void;
}

/**
 * The region's side of its racks: the region stream and registration (HTTP), one BullMQ queue and scheduler per
 * rack, QueueEvents recording each rack's state, and the per-rack and per-image status built from it.
 */
export class RackService {
  /** The `racks` table (the repositories' `rackRecords`). */
  readonly racks: RackRepository;
  readonly #connection: Redis;
  readonly #queues: RackQueues;
  readonly #served: StreamCache<Promise<RegionStream>>;
  #onReady = (): void => void this.#upsertAll().then(() => this.#catchUp());

  constructor(private readonly deps: RackServiceDeps) {
    this.racks = deps.repos.rackRecords;
    this.#served = new StreamCache(() => {
      const built = this.stream();
      // A build that failed (the database) is not served again: the next request builds anew.
      void built.catch(() => this.#served.invalidate());
      return built;
    }, deps.streamMaxAgeMs ?? 1_000);
    deps.metrics?.observe(() => this.list());
    this.#connection = connectRedis(deps.redisUrl, deps.redisSentinel, { maxRetriesPerRequest: null });
    watchRedisOutage(this.#connection, { logger: deps.logger, error: 'racks.redis.error', restored: 'racks.redis.restored' });
    const now = (): string => new Date().toISOString();
    this.#queues = new RackQueues({
      connection: this.#connection,
      prefix: deps.redisPrefix,
      intervalMs: deps.syncIntervalMs,
      logger: deps.logger,
      handlers: {
        active: (rack) => this.racks.syncStarted(rack, now()),
        progress: async (rack, p) => {
          // A report of another protocol version is not read: the job's result or failure says what it is.
          const progress = readProgress(p);
          if (!progress) return;
          await this.racks.progress(rack, progress.bytesDone, progress.bytesTotal, now());
          // A rack that found files it serves damaged says what it still holds whole, before it tries to repair them.
          if (progress.images) await this.racks.holding(rack, progress.images);
        },
        completed: (rack, result) => this.#completed(rack, result, now()),
        failed: (rack, reason) => this.#failed(rack, readFailure(reason, rack), now()),
      },
    });
  }

  /** Upserts every known rack's scheduler now and again whenever the Redis connection is ready anew. */
  async start(): Promise<void> {
    this.#connection.on('ready', this.#onReady);
    await this.#upsertAll();
    await this.#catchUp();
  }

  async stop(): Promise<void> {
    this.#connection.off('ready', this.#onReady);
    await this.#queues.close();
    this.#connection.disconnect();
  }

  /** Mounts the region stream and `POST /MAAS/racks/register` on the region's HTTP app. */
  registerRoutes(app: FastifyInstance): void {
    registerStreamRoutes(app, {
      stream: () => this.#served.get(),
      store: this.deps.store,
      authenticate: (authorization) => this.#authenticate(authorization),
      ...(this.deps.serving ? { serving: this.deps.serving } : {}),
      ...(this.deps.accelRedirect !== undefined ? { accelRedirect: this.deps.accelRedirect } : {}),
      rackTransfers: new RackTransferLimit({
        max: this.deps.maxRackTransfers ?? 0,
        logger: this.deps.logger,
        ...(this.deps.transfersInFlight ? { inFlight: this.deps.transfersInFlight } : {}),
      }),
    });
    registerRegistrationRoute(app, { secret: this.deps.secret, logger: this.deps.logger, register: (name) => this.register(name) });
  }

  async register(name: string): Promise<RegistrationAnswerFields> {
    const token = randomBytes(32).toString('hex');
    await this.racks.register(name, token, new Date().toISOString());
    await this.#queues.upsertScheduler(name);
    // That rack alone: with every rack asked at each registration, 1,000 racks starting made 500,000 sync requests.
    await this.#queues.syncNow(name, 'registration');
    this.deps.logger.info({ event: 'racks.registered', rack: name });
    const regions = this.deps.liveRegions?.();
    return registrationAnswer({ name, queue: rackQueueName(name), prefix: this.deps.redisPrefix, streamPath: STREAM_PATH, token, ...(regions ? { regions } : {}) });
  }

  /** Wire to the import's "finished" event: racks pull at once when the region changed. */
  async onImportFinished(event: { readonly changed: boolean }): Promise<void> {
    if (event.changed) await this.syncAllNow('import');
  }

  async syncAllNow(reason: SyncReason): Promise<void> {
    // The racks about to be told read what changed, not a stream built before it.
    this.#served.invalidate();
    await eachAtOnce(await this.racks.list(), (rack) => this.#queues.syncNow(rack.name, reason));
  }

  /** `rack-controller(s) import-boot-images`: one rack, or every rack without a name, pulls now. */
  async importBootImages(name?: string): Promise<void> {
    if (name === undefined) return this.syncAllNow('manual');
    if (!(await this.racks.find(name))) throw new NotFoundError('RackController', name);
    this.#served.invalidate();
    await this.#queues.syncNow(name, 'manual');
  }

  /** Its scheduler, queue and state go; its token stops working. */
  async deregister(name: string): Promise<void> {
    if (!(await this.racks.find(name))) throw new NotFoundError('RackController', name);
    await this.#queues.remove(name);
    await this.racks.delete(name);
    this.deps.logger.info({ event: 'racks.deregistered', rack: name });
  }

  async stream(): Promise<RegionStream> {
    return buildRegionStream(await publishedImages(this.deps.repos));
  }

  /**
   * The racks, by name, each with its status; `query` keeps those of one status and a page of them. Statuses are
   * computed for every rack (one read of the table), what each holds only for the racks answered.
   */
  async list(query: RackQuery = {}, now = new Date()): Promise<RackView[]> {
    const context = await this.#statusContext(now);
    const rated = (await this.racks.list()).map((rack) => ({ rack, status: rackStatus(rack, context) }));
    const chosen = query.status === undefined ? rated : rated.filter((r) => r.status === query.status);
    const offset = query.offset ?? 0;
    const page = chosen.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
    return page.map(({ rack, status }) => this.#view(rack, status, context));
  }

  /** How many racks read each status (and how many are connected): the rack table's counts, without the racks. */
  async counts(now = new Date()): Promise<RackCounts> {
    const context = await this.#statusContext(now);
    const byStatus = Object.fromEntries(RACK_STATUSES.map((s) => [s, 0])) as Record<RackStatus, number>;
    let connected = 0;
    const all = await this.racks.list();
    for (const rack of all) {
      byStatus[rackStatus(rack, context)] += 1;
      if (isConnected(rack, now, this.deps.syncIntervalMs)) connected += 1;
    }
    return { total: all.length, connected, byStatus };
  }

  async get(name: string, now = new Date()): Promise<RackView> {
    const rack = await this.racks.find(name);
    if (!rack) throw new NotFoundError('RackController', name);
    const context = await this.#statusContext(now);
    return this.#view(rack, rackStatus(rack, context), context);
  }

  /** The rack side of every image's status, from one read of the racks, for `imageStatus({ newestSet, racks })`. */
  async imageRackStates(now = new Date()): Promise<(resource: ResourceName, version: string) => RackSyncState | undefined> {
    const states = imageRackStates(await this.racks.list(), now, this.deps.syncIntervalMs);
    return (resource, version) => states({ product: productName(resource), version });
  }

  /** The rack side of one image's status. */
  async imageRackState(resource: ResourceName, version: string, now = new Date()): Promise<RackSyncState | undefined> {
    return (await this.imageRackStates(now))(resource, version);
  }

  async #statusContext(now: Date): Promise<StatusContext> {
    const regionImporting = await this.#regionImporting();
    const published = await publishedImages(this.deps.repos);
    const offered = buildRegionStream(published).images.map(({ product, version }) => ({ product, version }));
    return { now, intervalMs: this.deps.syncIntervalMs, regionImporting, offered, published };
  }

  #view(rack: RackRecord, status: RackStatus, context: StatusContext): RackView {
    return {
      name: rack.name,
      connected: isConnected(rack, context.now, context.intervalMs),
      status,
      lastSeen: rack.lastSeen,
      lastSync: rack.lastSync,
      bytesDone: rack.bytesDone,
      bytesTotal: rack.bytesTotal,
      lastError: rack.lastError,
      images: rackBootImages(rack.holds, context.published),
    };
  }

  /**
   * Whether the region imports; false when Redis does not answer within a second, so rack statuses are still
   * shown and scraped while Redis is away (the racks then read "unknown" soon enough anyway).
   */
  async #regionImporting(): Promise<boolean> {
    const gaveUp = sleep(REDIS_ANSWER_MS, false, { ref: false });
    return Promise.race([this.deps.isImporting(), gaveUp]).catch(() => false);
  }

  async #completed(rack: string, value: unknown, at: string): Promise<void> {
    let result: SyncResult;
    try {
      result = readResult(value, rack);
    } catch (err) {
      // A rack of another protocol version: what it holds is not read into the status, and it reads out of sync.
      await this.#failed(rack, failureOf(err), at);
      return;
    }
    await this.racks.syncSucceeded(rack, result, at);
    this.deps.logger.info({ event: 'racks.sync.completed', rack });
  }

  async #failed(rack: string, failure: RackFailure, at: string): Promise<void> {
    await this.racks.syncFailed(rack, { ...failure, at });
    this.deps.logger.warn({ event: 'racks.sync.failed', rack, err: failure });
  }

  /**
   * A region that was away (stopped, or cut from Redis) while a rack finished its sync missed the event saying so:
   * the rack would read "syncing", and its images "Syncing to rack controller(s)", until its next sync. The queue
   * still knows how its last job ended.
   */
  async #catchUp(): Promise<void> {
    try {
      for (const rack of (await this.racks.list()).filter((r) => r.syncing)) {
        const last = await this.#queues.lastSync(rack.name);
        if (last === 'active') continue;
        const at = new Date(last?.finishedOn ?? Date.now()).toISOString();
        if (last?.ok) await this.#completed(rack.name, last.result, at);
        else if (last) await this.#failed(rack.name, readFailure(last.reason, rack.name), at);
        else await this.racks.syncEnded(rack.name);
      }
    } catch (err) {
      this.deps.logger.warn({ event: 'racks.catch_up_failed', err });
    }
  }

  async #upsertAll(): Promise<void> {
    try {
      await eachAtOnce(await this.racks.list(), (rack) => this.#queues.upsertScheduler(rack.name));
    } catch (err) {
      this.deps.logger.warn({ event: 'racks.schedulers.upsert_failed', err });
    }
  }

  async #authenticate(authorization: string | undefined): Promise<StreamReader | undefined> {
    if (!authorization) return undefined;
    const token = bearerToken(authorization);
    if (token) {
      const rack = await this.racks.findByToken(token);
      if (!rack) return undefined;
      await this.racks.seen(rack.name, new Date().toISOString());
      return { rack: rack.name };
    }
    return (await isApiUser(authorization, (tokenKey) => this.deps.repos.apiKeys.findByTokenKey(tokenKey))) ? { apiUser: true } : undefined;
  }
}
