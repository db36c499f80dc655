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
  const run = await RunRecorder.start(repos, log, deps.metrics);
  log.info({ event: 'import.started', runId: run.runId, reason });
  try {
    for (let pass = 1; pass <= MAX_PASSES && !signal.aborted; pass++) {
      const restart = new AbortController();
      const onStop = (): void => restart.abort(signal.reason);
      signal.addEventListener('abort', onStop, { once: true });
      const seen = await repos.bootSources.generation();
      const watch = watchGeneration(repos, seen, tuning.sourcesCheckMs, () => restart.abort(new Error('sources changed')));
      try {
        const ctx = { repos, store, log, run, tuning, retention: deps.retention, maxDocumentSize: deps.maxDocumentSize, downloadClient: deps.downloadClient, signal: restart.signal };
        const { generation } = await importPass(ctx);
        if (signal.aborted || (await repos.bootSources.generation()) === generation) break;
        log.info({ event: 'import.restarted', runId: run.runId, reason: 'boot sources or selections changed', pass });
      } finally {
        await watch.stop();
        signal.removeEventListener('abort', onStop);
      }
    }
  } catch (err) {
    if (!signal.aborted) run.crashed(err);
  }
  const { outcome, ms } = await run.finish(signal.aborted);
  return { runId: run.runId, outcome, changed: run.changed, bytes: run.bytes, ms };
}

/**
 * Calls `changed` once the sources generation differs from `seen`, checking every `everyMs`; a check still reading
 * when the next is due makes that one skip. A check that fails (the database) is tried again at the next.
 */
function watchGeneration(repos: ImportServiceDeps['repos'], seen: number, everyMs: number, changed: () => void): { stop(): Promise<void> } {
  let checking: Promise<void> | undefined;
  const timer = setInterval(() => {
    checking ??= repos.bootSources
      .generation()
      .then((now) => {
        if (now !== seen) changed();
      })
      .catch(() => undefined)
      .finally(() => (checking = undefined));
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await checking;
    },
  };
}
