import { importPass } from './import-pass.js';
import type { ImportReason } from './queue.js';
import { RunRecorder } from './run-recorder.js';
import type { ImportOutcome, ImportServiceDeps, ImportTuning } from './service-types.js';
import { DEFAULT_SOURCE_READ_RETRY } from './source-read-retry.js';

export interface ImportRunResult {
  readonly runId: number;
  readonly outcome: ImportOutcome;
  readonly changed: boolean;
  readonly bytes: number;
  readonly ms: number;
}

export const DEFAULT_TUNING: ImportTuning = Object.freeze({
  concurrency: 4,
  sourceReadRetry: DEFAULT_SOURCE_READ_RETRY,
  downloadRetry: {},
  progressIntervalMs: 500,
  sourcesCheckMs: 250,
  minuteMs: 60_000,
});

/** Passes in a row that saw sources change before giving up on this run (the next trigger tries again). */
const MAX_PASSES = 10;

/**
 * One import run, recorded in `import_runs`. When sources or selections change while a pass runs, the pass is
 * cut short (partials kept) and the run starts over with the new ones (MAAS bug 1766370), instead of finishing
 * with what the operator no longer wants.
 */
export async function runImport(deps: ImportServiceDeps, reason: ImportReason, signal: AbortSignal): Promise<ImportRunResult> {
  const { repos, store, logger: log } = deps;
  const tuning: ImportTuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const run = new RunRecorder(repos, log, deps.metrics);
  log.info({ event: 'import.started', runId: run.runId, reason });
  try {
    for (let pass = 1; pass <= MAX_PASSES && !signal.aborted; pass++) {
      const restart = new AbortController();
      const onStop = (): void => restart.abort(signal.reason);
      signal.addEventListener('abort', onStop, { once: true });
      const seen = repos.bootSources.generation();
      const watch = setInterval(() => {
        if (repos.bootSources.generation() !== seen) restart.abort(new Error('sources changed'));
      }, tuning.sourcesCheckMs);
      try {
        const ctx = { repos, store, log, run, tuning, retention: deps.retention, maxDocumentSize: deps.maxDocumentSize, downloadClient: deps.downloadClient, signal: restart.signal };
        const { generation } = await importPass(ctx);
        if (signal.aborted || repos.bootSources.generation() === generation) break;
        log.info({ event: 'import.restarted', runId: run.runId, reason: 'boot sources or selections changed', pass });
      } finally {
        clearInterval(watch);
        signal.removeEventListener('abort', onStop);
      }
    }
  } catch (err) {
    if (!signal.aborted) run.crashed(err);
  }
  const { outcome, ms } = run.finish(signal.aborted);
  return { runId: run.runId, outcome, changed: run.changed, bytes: run.bytes, ms };
}
