import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@bootsync/shared/logging';
import type { ImportRun } from '../db/index.js';
import { DEFAULT_TUNING } from './import-run.js';
import { ImportWorker } from './import-worker.js';
import { ImportQueue, type ImportReason, type TriggerResult } from './queue.js';
import { startImportTimer, type ImportSchedule } from './schedule.js';
import type { ImportFinishedEvent, ImportServiceDeps } from './service-types.js';

/** How long start() waits for Redis before leaving the rest of the start to the background. */
const START_WAIT_MS = 2_000;

/**
 * The region's import service: the queue (queue.ts), its one worker (import-worker.ts) and the schedule
 * (schedule.ts), started once Redis answers; "import now" and stop-import as the API asks for them. The import
 * itself is `runImport` (import-run.ts).
 */
export class ImportService {
  readonly #deps: ImportServiceDeps;
  readonly #log: Logger;
  readonly #queue: ImportQueue;
  readonly #worker: ImportWorker;
  readonly #stopping = new AbortController();
  #booting: Promise<void> | undefined;
  #schedule: ImportSchedule | undefined;
  #stopInProgress: Promise<void> | undefined;

  constructor(deps: ImportServiceDeps) {
    this.#deps = deps;
    this.#log = deps.logger;
    this.#queue = new ImportQueue({ redisUrl: deps.redisUrl, ...(deps.redisSentinel ? { redisSentinel: deps.redisSentinel } : {}), prefix: deps.redisPrefix, logger: deps.logger });
    this.#worker = new ImportWorker(deps, { outage: this.#queue.outage, stopRequested: () => this.#stopInProgress !== undefined });
  }

  /**
   * Starts the worker and the schedule once Redis answers, and queues an import at once while
   * `boot_images_auto_import` is true. A region may start before its Redis: then imports begin once Redis is up,
   * and start() does not wait for it.
   */
  async start(): Promise<void> {
    this.#booting = this.#boot().catch((err: unknown) => this.#log.error({ event: 'import.start_failed', err }));
    const waited = sleep(START_WAIT_MS, false, { ref: false, signal: this.#stopping.signal }).catch(() => false);
    if (!(await Promise.race([this.#booting.then(() => true), waited]))) this.#log.warn({ event: 'import.waiting_for_redis' });
  }

  /** Stops the schedule, aborts a running import (partials kept) and closes queue, worker and connections. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#booting;
    await this.#schedule?.stop();
    this.#schedule = undefined;
    await this.#worker.close();
    await this.#queue.close();
  }

  /**
   * "Import now": queues an import unless one is queued or running already; during stop-import, a fresh one after
   * it. `reason` is logged.
   */
  async triggerImport(reason: ImportReason = 'manual'): Promise<TriggerResult> {
    // A trigger during stop-import would join the job being cancelled (its deduplication id is still held until
    // the stop removes it) and so be lost: it waits for the stop to finish, then starts a fresh run.
    await this.#stopInProgress?.catch(() => undefined);
    return this.#queue.add(reason);
  }

  /** Cancels the running import within 2 s (partials kept), drops a queued one, and resolves once it has ended. */
  stopImport(): Promise<void> {
    this.#stopInProgress ??= (async () => {
      await this.#queue.dropQueued();
      await this.#worker.cancel('stop-import requested');
    })().finally(() => (this.#stopInProgress = undefined));
    return this.#stopInProgress;
  }

  /** True while an import is queued or running. */
  async isImporting(): Promise<boolean> {
    return this.#worker.running || (await this.#queue.hasWork());
  }

  /** The newest `n` import runs, newest first. */
  lastRuns(n: number): Promise<readonly ImportRun[]> {
    return this.#deps.repos.importRuns.list(n);
  }

  /** Called after every run; returns the unsubscribe function. The rack side enqueues syncs when `changed`. */
  onImportFinished(listener: (event: ImportFinishedEvent) => void): () => void {
    return this.#worker.onFinished(listener);
  }

  /** Waits for Redis, then starts the worker, the schedule and the start-up import. */
  async #boot(): Promise<void> {
    if (!(await this.#queue.connected(this.#stopping.signal))) return;
    await this.#queue.releaseStale();
    if (this.#stopping.signal.aborted) return;
    await this.#worker.start();
    const { config } = this.#deps.repos;
    const autoImport = async (): Promise<boolean> => (await config.get()).boot_images_auto_import;
    this.#schedule = await startImportTimer({
      cron: this.#deps.schedule,
      minutes: async () => (await config.get()).boot_images_import_interval_minutes,
      minuteMs: this.#deps.tuning?.minuteMs ?? DEFAULT_TUNING.minuteMs,
      tick: async () => {
        // Logged (debug) so that a schedule firing while auto-import is off shows it did, and why it did not import.
        try {
          if (!(await autoImport())) this.#log.debug({ event: 'import.schedule.skipped' }, 'boot_images_auto_import is false');
          else await this.triggerImport('schedule');
        } catch (err) {
          this.#log.error({ event: 'import.schedule.failed', err });
        }
      },
      log: this.#log,
    });
    if (await autoImport()) await this.triggerImport('startup');
  }
}
