import { BootsyncError } from '@bootsync/shared/errors';
import type { Logger } from '@bootsync/shared/logging';
import type { ImportRunError, Repositories } from '../db/index.js';
import type { ImportErrorCode } from '../errors/index.js';
import type { ImportMetrics, ImportOutcome } from './service-types.js';

/**
 * The bookkeeping of one import run: its row (bytes, errors naming the item), what changed, and the metrics.
 * The pipeline reports facts here; this decides the outcome. The pipeline reports from its hot path without
 * waiting: the row's writes queue in the order they were reported, one at a time, and `finish` waits for them.
 */
export class RunRecorder {
  readonly runId: number;
  bytes = 0;
  /** A set completed or something was deleted: racks have something new to sync. */
  changed = false;
  readonly #repos: Pick<Repositories, 'importRuns'>;
  readonly #metrics: ImportMetrics | undefined;
  readonly #log: Logger;
  readonly #started = performance.now();
  #errors = 0;
  #firstError: unknown;
  #crashed = false;
  #sourcesRead = 0;
  #setsCompleted = 0;
  #setsFailed = 0;
  #toRepair: ReadonlySet<string> = new Set();
  /** The row's writes, in the order reported; the first that failed. */
  #writes: Promise<void> = Promise.resolve();
  #writeFailed: { err: unknown } | undefined;

  /** Records a new run (its row) and returns its recorder. */
  static async start(repos: Pick<Repositories, 'importRuns'>, log: Logger, metrics: ImportMetrics | undefined): Promise<RunRecorder> {
    return new RunRecorder(repos, log, metrics, (await repos.importRuns.start()).id);
  }

  private constructor(repos: Pick<Repositories, 'importRuns'>, log: Logger, metrics: ImportMetrics | undefined, runId: number) {
    this.#repos = repos;
    this.#metrics = metrics;
    this.#log = log;
    this.runId = runId;
  }

  /** Queues a write of the run's row after those reported before it. */
  #write(fn: () => Promise<void>): void {
    this.#writes = this.#writes.then(fn).catch((err: unknown) => {
      this.#writeFailed ??= { err };
    });
  }

  error(item: string, err: unknown): void {
    const error: ImportRunError = {
      item,
      code: err instanceof BootsyncError ? err.code : ('IMPORT_ERR_UNEXPECTED' satisfies ImportErrorCode),
      message: err instanceof Error ? err.message : String(err),
    };
    this.#errors++;
    this.#firstError ??= err;
    this.#write(() => this.#repos.importRuns.addError(this.runId, error));
  }

  /** The pipeline itself threw (a database or store failure): the run failed, whatever it did before. */
  crashed(err: unknown): void {
    this.#crashed = true;
    this.error('import', err);
  }

  sourceRead(): void {
    this.#sourcesRead++;
  }

  fileFetched(bytes: number): void {
    this.bytes += bytes;
    this.#write(() => this.#repos.importRuns.addBytes(this.runId, bytes));
    this.#metrics?.bytesDownloaded.inc(bytes);
    this.#metrics?.filesVerified.inc();
  }

  /** The blobs of damaged sets this run fetches again. */
  toRepair(sha256s: ReadonlySet<string>): void {
    this.#toRepair = sha256s;
  }

  /** A blob was fetched and verified: true (and counted) when it repaired a damaged set. */
  repaired(sha256: string): boolean {
    if (!this.#toRepair.has(sha256)) return false;
    this.#metrics?.storeRepairs.inc();
    return true;
  }

  checksumFailed(): void {
    this.#metrics?.checksumFailures.inc();
  }

  setCompleted(): void {
    this.#setsCompleted++;
    this.changed = true;
  }

  setFailed(): void {
    this.#setsFailed++;
  }

  /**
   * `failed` when nothing could be read or every wanted set failed; `partial` when errors sit beside progress;
   * `stopped` when an operator or a shutdown cut it short. Waits for the writes reported before; one of them that
   * failed (the database) is thrown, as it was when reported, with the run left running for the next start to close.
   */
  async finish(stopped: boolean): Promise<{ outcome: ImportOutcome; ms: number }> {
    const outcome: ImportOutcome = stopped
      ? 'stopped'
      : this.#errors === 0
        ? 'succeeded'
        : this.#crashed || this.#sourcesRead === 0 || (this.#setsFailed > 0 && this.#setsCompleted === 0)
          ? 'failed'
          : 'partial';
    const ms = Math.round(performance.now() - this.#started);
    await this.#writes;
    if (this.#writeFailed) throw this.#writeFailed.err;
    await this.#repos.importRuns.finish(this.runId, outcome);
    this.#metrics?.importDuration.observe({ outcome }, ms / 1000);
    this.#metrics?.importsTotal.inc({ outcome });
    if (outcome === 'succeeded') this.#metrics?.lastSuccessfulImport.set(Date.now() / 1000);
    const line = { event: 'import.finished', runId: this.runId, outcome, bytes: this.bytes, ms, changed: this.changed };
    if (outcome === 'failed') this.#log.error({ event: 'import.failed', runId: this.runId, err: this.#firstError });
    if (outcome === 'succeeded' || outcome === 'stopped') this.#log.info(line);
    else this.#log.warn(line);
    return { outcome, ms };
  }
}
