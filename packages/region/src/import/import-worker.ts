import { setTimeout as sleep } from 'node:timers/promises';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger, RedisOutage } from '@bootsync/shared/logging';
import { connectRedis } from '@bootsync/shared/redis';
import { runImport, type ImportRunResult } from './import-run.js';
import { IMPORT_QUEUE, type ImportJobData } from './queue.js';
import type { ImportFinishedEvent, ImportServiceDeps } from './service-types.js';

/** The reason BullMQ fails a job whose lock expired more often than maxStalledCount allows. */
const STALLED_REASON = 'job stalled more than allowable limit';
/** How long a cancel waits for the cancelled run to end (it aborts within 2 s; a margin for a busy machine). */
const CANCEL_WAIT_MS = 5_000;

/**
 * The one BullMQ worker (concurrency 1) that runs import jobs (`runImport`), tells listeners when one finished and
 * cancels the running one on request.
 */
export class ImportWorker {
  readonly #deps: ImportServiceDeps;
  readonly #log: Logger;
  readonly #outage: RedisOutage;
  /** True while stop-import runs: a job fetched then is one of those being stopped. */
  readonly #stopRequested: () => boolean;
  readonly #listeners = new Set<(event: ImportFinishedEvent) => void>();
  // Lazy: it connects when the worker starts, once the queue's connection found Redis. BullMQ requires
  // maxRetriesPerRequest: null on a worker's blocking connection.
  readonly #connection: Redis;
  #worker: Worker<ImportJobData, ImportRunResult> | undefined;
  #running: Promise<ImportRunResult> | undefined;

  constructor(deps: ImportServiceDeps, options: { readonly outage: RedisOutage; readonly stopRequested: () => boolean }) {
    this.#deps = deps;
    this.#log = deps.logger;
    this.#outage = options.outage;
    this.#stopRequested = options.stopRequested;
    this.#connection = connectRedis(deps.redisUrl, deps.redisSentinel, { maxRetriesPerRequest: null, lazyConnect: true });
  }

  /** True while an import runs in this process. */
  get running(): boolean {
    return this.#running !== undefined;
  }

  async start(): Promise<void> {
    const log = this.#log;
    const worker = new Worker<ImportJobData, ImportRunResult>(IMPORT_QUEUE, (job, _token, signal) => this.#process(job, signal), {
      connection: this.#connection,
      prefix: this.#deps.redisPrefix,
      concurrency: 1,
      // A stalled import belongs to a process that died; the start-up import resumes its work, so do not
      // re-run it behind that one.
      maxStalledCount: 0,
    });
    this.#worker = worker;
    // While Redis is away the worker fails with it on every attempt: that outage is logged once, by the queue's watcher.
    worker.on('error', (err) => {
      if (!this.#outage.covers(err)) log.error({ event: 'import.worker.error', err });
    });
    worker.on('failed', (job, err) => {
      // A stalled job is one whose process stopped renewing its lock; what it had done is resumed by the next
      // import (partials kept), so it is not an import failure.
      if (err.message === STALLED_REASON) log.warn({ event: 'import.job_stalled', jobId: job?.id });
      else log.error({ event: 'import.failed', jobId: job?.id, err });
    });
    // Told once the job has left the queue, so a listener's own "import now" is not deduplicated into it.
    worker.on('completed', (_job, r) => this.#notify({ runId: r.runId, outcome: r.outcome, changed: r.changed, bytes: r.bytes, ms: r.ms }));
    await worker.waitUntilReady();
  }

  /** Cancels the running import (partials kept) and waits, bounded, for it to end. */
  async cancel(reason: string): Promise<void> {
    const cancelled = this.#running;
    this.#worker?.cancelAllJobs(reason);
    if (cancelled) await Promise.race([cancelled.catch(() => undefined), sleep(CANCEL_WAIT_MS, undefined, { ref: false })]);
  }

  /** Called after every run; returns the unsubscribe function. */
  onFinished(listener: (event: ImportFinishedEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Aborts a running import and closes the worker and its connection. */
  async close(): Promise<void> {
    this.#worker?.cancelAllJobs('region stopping');
    await this.#worker?.close();
    this.#connection.disconnect();
  }

  async #process(job: Job<ImportJobData, ImportRunResult>, signal: AbortSignal | undefined): Promise<ImportRunResult> {
    // A job picked up while stop-import runs was queued before the stop (later triggers wait for it): it is one
    // of those being stopped, though the worker fetched it too late for cancelAllJobs to reach it.
    const aborted = this.#stopRequested() ? AbortSignal.abort(new Error('stop-import requested')) : undefined;
    const run = runImport(this.#deps, job.data.reason, aborted ?? signal ?? new AbortController().signal);
    this.#running = run;
    try {
      return await run;
    } finally {
      this.#running = undefined;
    }
  }

  #notify(event: ImportFinishedEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#log.error({ event: 'import.listener.failed', err });
      }
    }
  }
}
