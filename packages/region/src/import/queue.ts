import { randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { watchRedisOutage, type Logger, type RedisOutage } from '@bootsync/shared/logging';
import { connectRedis, type RedisSentinel } from '@bootsync/shared/redis';

/**
 * The region's import queue, fenced off like bullmq fences its Lua: its name, the one job name and the job options.
 * Every key lives under the region's own Redis prefix, so regions sharing a Redis never see each other's imports.
 */
export const IMPORT_QUEUE = 'boot-images-import';
const IMPORT_JOB = 'import';

/** What asked for the import (`repair`: the scrub found a damaged blob); only shown in logs and on the job. */
export type ImportReason = 'startup' | 'schedule' | 'manual' | 'repair';

export interface ImportJobData {
  readonly reason: ImportReason;
}

/**
 * One import at a time: the deduplication key holds while a job waits or runs, so "import now" joins the scheduled
 * run instead of stacking a second one behind it.
 */
const IMPORT_DEDUP_ID = 'boot-images-import';

const importJobOptions: JobsOptions = Object.freeze({
  deduplication: { id: IMPORT_DEDUP_ID },
  // An import is re-run by the next trigger rather than retried blindly: its steps already retry what is retryable.
  attempts: 1,
  removeOnComplete: { count: 50 },
  removeOnFail: { count: 50 },
});

export interface TriggerResult {
  readonly jobId: string;
  /** True when an import was already queued or running and this request joined it. */
  readonly deduplicated: boolean;
}

/** The queue side of the import: adding, dropping and counting import jobs, on a Redis connection of its own. */
export class ImportQueue {
  readonly #connection: Redis;
  readonly #queue: Queue<ImportJobData>;
  readonly #log: Logger;
  /** Whether the queue's Redis is away (that outage is logged once, so what follows from it stays quiet). */
  readonly outage: RedisOutage;

  constructor(options: { readonly redisUrl: string; readonly redisSentinel?: RedisSentinel; readonly prefix: string; readonly logger: Logger }) {
    this.#log = options.logger;
    // ioredis' default maxRetriesPerRequest, so a Redis outage fails "import now" promptly instead of hanging the API.
    this.#connection = connectRedis(options.redisUrl, options.redisSentinel);
    this.outage = watchRedisOutage(this.#connection, { logger: this.#log, level: 'error', error: 'import.queue.error', restored: 'import.redis.restored' });
    this.#queue = new Queue<ImportJobData>(IMPORT_QUEUE, { connection: this.#connection, prefix: options.prefix });
    // The queue re-emits its connection's errors, which the watcher logs; anything else it reports is its own.
    this.#queue.on('error', (err) => {
      if (!this.outage.down) this.#log.error({ event: 'import.queue.error', err });
    });
  }

  /** Resolves true once Redis answers, false if `signal` fires first. */
  connected(signal: AbortSignal): Promise<boolean> {
    const redis = this.#connection;
    if (redis.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        redis.off('ready', onReady);
        signal.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      const onReady = (): void => done(true);
      const onAbort = (): void => done(false);
      redis.on('ready', onReady);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Queues an import unless one is queued or running already (then this joins it). */
  async add(reason: ImportReason): Promise<TriggerResult> {
    const jobId = `import-${Date.now()}-${randomUUID().slice(0, 8)}`;
    const job = await this.#queue.add(IMPORT_JOB, { reason }, { ...importJobOptions, jobId });
    const deduplicated = job.id !== jobId;
    this.#log.info({ event: 'import.queued', reason, jobId: job.id, deduplicated });
    return { jobId: job.id ?? jobId, deduplicated };
  }

  /** Drops a queued import and frees the deduplication key, so the next trigger starts a fresh one. */
  async dropQueued(): Promise<void> {
    await this.#queue.drain();
    await this.#queue.removeDeduplicationKey(IMPORT_DEDUP_ID);
  }

  /** True while an import job waits or runs. */
  async hasWork(): Promise<boolean> {
    const counts = await this.#queue.getJobCounts('waiting', 'active', 'prioritized');
    return Object.values(counts).some((n) => n > 0);
  }

  /**
   * This process is the queue's only worker, so at start-up an active import is a dead process's (SIGKILL, power
   * loss). Left there, its deduplication key would swallow the start-up import, it would count as an import in
   * progress (is_importing) until BullMQ's stall check moved it 30-60 s later, and that check would then fail it
   * ("job stalled more than allowable limit") after the start-up import had already resumed its work. Its run was
   * closed as stopped (closeAbandoned) and its partial files are resumed: remove the job itself, lock included.
   */
  async releaseStale(): Promise<void> {
    const queue = this.#queue;
    for (const job of await queue.getJobs(['active'])) {
      if (job.id === undefined) continue;
      await this.#connection.del(`${queue.toKey(job.id)}:lock`);
      await job.remove();
      this.#log.warn({ event: 'import.stale_job_released', jobId: job.id });
    }
    const holder = await queue.getDeduplicationJobId(IMPORT_DEDUP_ID);
    if (holder !== null && (await queue.getJobState(holder)) === 'unknown') await queue.removeDeduplicationKey(IMPORT_DEDUP_ID);
  }

  async close(): Promise<void> {
    await this.#queue.close();
    this.#connection.disconnect();
  }
}
