import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { watchRedisOutage } from '@bootsync/shared/logging';
import { createRepositories } from '../db/index.js';
import { DEFAULT_TUNING, runImport, type ImportRunResult } from './import-run.js';
import { IMPORT_DEDUP_ID, IMPORT_JOB, IMPORT_QUEUE, importJobOptions, type ImportJobData, type ImportReason } from './queue.js';
import { createImportSchedule, createIntervalSchedule, type ImportSchedule } from './schedule.js';
import type { ImportFinishedEvent, ImportService, ImportServiceDeps, TriggerResult } from './service-types.js';

/** How long start() waits for Redis before leaving the rest of the start to the background. */
const START_WAIT_MS = 2_000;
/** The reason BullMQ fails a job whose lock expired more often than maxStalledCount allows. */
const STALLED_REASON = 'job stalled more than allowable limit';
/** How long stop-import waits for the cancelled run to end (it aborts within 2 s; a margin for a busy machine). */
const STOP_WAIT_MS = 5_000;

/** Resolves true once the connection is ready, false if stopped first. */
function connected(redis: Redis, signal: AbortSignal): Promise<boolean> {
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

/**
 * The region's import service: one BullMQ queue of the region's own, one Worker with concurrency 1, the node-cron
 * schedule, and the "import finished" notification. The import itself is `runImport`; this file only drives it.
 */
export function createImportService(deps: ImportServiceDeps): ImportService {
  const log = deps.logger;
  const repos = createRepositories(deps.db);
  // BullMQ requires maxRetriesPerRequest: null on the worker's blocking connection; the queue's keeps ioredis'
  // default so a Redis outage fails "import now" promptly instead of hanging the API call.
  const queueConnection = new Redis(deps.redisUrl);
  const outage = watchRedisOutage(queueConnection, { logger: log, level: 'error', error: 'import.queue.error', restored: 'import.redis.restored' });
  // Lazy: it connects when the worker starts, once the queue's connection found Redis.
  const workerConnection = new Redis(deps.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  const queue = new Queue<ImportJobData>(IMPORT_QUEUE, { connection: queueConnection, prefix: deps.redisPrefix });
  // The queue re-emits its connection's errors, which the watcher logs; anything else it reports is its own.
  queue.on('error', (err) => {
    if (!outage.down) log.error({ event: 'import.queue.error', err });
  });
  const stopping = new AbortController();
  let booting: Promise<void> | undefined;
  const listeners = new Set<(event: ImportFinishedEvent) => void>();
  let worker: Worker<ImportJobData, ImportRunResult> | undefined;
  let schedule: ImportSchedule | undefined;
  let running: Promise<unknown> | undefined;
  let stopInProgress: Promise<void> | undefined;

  async function enqueue(reason: ImportReason): Promise<TriggerResult> {
    // A trigger during stop-import would join the job being cancelled (its deduplication id is still held until
    // the stop removes it) and so be lost: it waits for the stop to finish, then starts a fresh run.
    await stopInProgress?.catch(() => undefined);
    const jobId = `import-${Date.now()}-${randomUUID().slice(0, 8)}`;
    const job = await queue.add(IMPORT_JOB, { reason }, { ...importJobOptions, jobId });
    const deduplicated = job.id !== jobId;
    log.info({ event: 'import.queued', reason, jobId: job.id, deduplicated });
    return { jobId: job.id ?? jobId, deduplicated };
  }

  async function processJob(job: Job<ImportJobData, ImportRunResult>, _token?: string, signal?: AbortSignal): Promise<ImportRunResult> {
    // A job picked up while stop-import runs was queued before the stop (later triggers wait for it): it is one
    // of those being stopped, though the worker fetched it too late for cancelAllJobs to reach it.
    const aborted = stopInProgress ? AbortSignal.abort(new Error('stop-import requested')) : undefined;
    const run = runImport(deps, job.data.reason, aborted ?? signal ?? new AbortController().signal);
    running = run;
    try {
      return await run;
    } finally {
      running = undefined;
    }
  }

  /** Drops a queued import, cancels the running one and waits (bounded) for it to end. */
  async function cancelImport(): Promise<void> {
    await queue.drain();
    await queue.removeDeduplicationKey(IMPORT_DEDUP_ID);
    const cancelled = running;
    worker?.cancelAllJobs('stop-import requested');
    if (cancelled) await Promise.race([cancelled.catch(() => undefined), sleep(STOP_WAIT_MS, undefined, { ref: false })]);
  }

  function notify(event: ImportFinishedEvent): void {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        log.error({ event: 'import.listener.failed', err });
      }
    }
  }

  /**
   * This process is the queue's only worker, so at start-up an active import is a dead process's (SIGKILL, power
   * loss). Left there, its deduplication key would swallow the start-up import, it would count as an import in
   * progress (is_importing) until BullMQ's stall check moved it 30-60 s later, and that check would then fail it
   * ("job stalled more than allowable limit") after the start-up import had already resumed its work. Its run was
   * closed as stopped (closeAbandoned) and its partial files are resumed: remove the job itself, lock included.
   */
  async function releaseStaleImports(): Promise<void> {
    for (const job of await queue.getJobs(['active'])) {
      if (job.id === undefined) continue;
      await queueConnection.del(`${queue.toKey(job.id)}:lock`);
      await job.remove();
      log.warn({ event: 'import.stale_job_released', jobId: job.id });
    }
    const holder = await queue.getDeduplicationJobId(IMPORT_DEDUP_ID);
    if (holder !== null && (await queue.getJobState(holder)) === 'unknown') await queue.removeDeduplicationKey(IMPORT_DEDUP_ID);
  }

  /** Waits for Redis, then starts the worker, the schedule and the start-up import. */
  async function boot(): Promise<void> {
    if (!(await connected(queueConnection, stopping.signal))) return;
    await releaseStaleImports();
    if (stopping.signal.aborted) return;
    worker = new Worker<ImportJobData, ImportRunResult>(IMPORT_QUEUE, processJob, {
      connection: workerConnection,
      prefix: deps.redisPrefix,
      concurrency: 1,
      // A stalled import belongs to a process that died; the start-up import resumes its work, so do not
      // re-run it behind that one.
      maxStalledCount: 0,
    });
    // While Redis is away the worker fails with it on every attempt: that outage is logged once, above.
    worker.on('error', (err) => {
      if (!outage.down) log.error({ event: 'import.worker.error', err });
    });
    worker.on('failed', (job, err) => {
      // A stalled job is one whose process stopped renewing its lock; what it had done is resumed by the next
      // import (partials kept), so it is not an import failure.
      if (err.message === STALLED_REASON) log.warn({ event: 'import.job_stalled', jobId: job?.id });
      else log.error({ event: 'import.failed', jobId: job?.id, err });
    });
    // Told once the job has left the queue, so a listener's own "import now" is not deduplicated into it.
    worker.on('completed', (_job, r) => notify({ runId: r.runId, outcome: r.outcome, changed: r.changed, bytes: r.bytes, ms: r.ms }));
    await worker.waitUntilReady();
    schedule = startSchedule();
    if (autoImportEnabled()) await enqueue('startup');
  }

  const autoImportEnabled = (): boolean => repos.config.get().boot_images_auto_import;

  function startSchedule(): ImportSchedule {
    const tick = async (): Promise<void> => {
      if (!autoImportEnabled()) return;
      await enqueue('schedule').catch((err: unknown) => log.error({ event: 'import.schedule.failed', err }));
    };
    if (deps.schedule !== undefined) {
      log.info({ event: 'import.schedule', cron: deps.schedule });
      return createImportSchedule(deps.schedule, tick);
    }
    const minutes = (): number => repos.config.get().boot_images_import_interval_minutes;
    log.info({ event: 'import.schedule', intervalMinutes: minutes() });
    return createIntervalSchedule({ minutes, tick, minuteMs: deps.tuning?.minuteMs ?? DEFAULT_TUNING.minuteMs });
  }

  return {
    async start() {
      booting = boot().catch((err: unknown) => log.error({ event: 'import.start_failed', err }));
      // A region may start before its Redis: then imports begin once Redis is up, and start() does not wait.
      const ready = await Promise.race([booting.then(() => true), sleep(START_WAIT_MS, false, { ref: false, signal: stopping.signal }).catch(() => false)]);
      if (!ready) log.warn({ event: 'import.waiting_for_redis' });
    },

    async stop() {
      stopping.abort();
      await booting;
      await schedule?.stop();
      schedule = undefined;
      worker?.cancelAllJobs('region stopping');
      await worker?.close();
      await queue.close();
      queueConnection.disconnect();
      workerConnection.disconnect();
    },

    triggerImport: (reason = 'manual') => enqueue(reason),

    stopImport() {
      stopInProgress ??= cancelImport().finally(() => (stopInProgress = undefined));
      return stopInProgress;
    },

    async isImporting() {
      if (running) return true;
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
      return Object.values(counts).some((n) => n > 0);
    },

    lastRuns: (n) => repos.importRuns.list(n),

    onImportFinished(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
