import { lstat, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Downloader } from '@bootsync/shared/download';
import { ContentStore } from '@bootsync/shared/store';
import { locate, readMirror, selectItems, type ItemFilter, type Mirror, type SignaturePolicy } from '@bootsync/shared/streams';
import { MirrorIncompleteError } from './errors.js';
import { collectDocuments, type DocumentFile, type MirrorDocuments } from './mirror-documents.js';
import { MirrorDir } from './mirror-dir.js';
import { mirrorFiles, planMirror, selectionChanged, stateAfter, stateDuring, type MirrorPlan, type MirrorState } from './mirror-plan.js';
import { placeFiles } from './place-files.js';
import type { MirrorReporter, PlanSummary } from './reporter.js';

export interface MirrorOptions {
  /** The source mirror: URL, directory, or `.../streams/v1/index.(s)json`. */
  readonly source: string;
  readonly dir: string;
  readonly policy: SignaturePolicy;
  readonly filters: readonly ItemFilter[];
  readonly max?: number;
  /** Files fetched at once. */
  readonly concurrency: number;
  readonly reporter: MirrorReporter;
}

export interface DryRun {
  readonly plan: MirrorPlan;
  readonly documents: MirrorDocuments;
}

/** Reads, verifies and plans without writing anything: what `--dry-run` prints. */
export async function planRun(options: MirrorOptions): Promise<DryRun> {
  const { plan, documents } = await prepare(options, new MirrorDir(options.dir));
  return { plan, documents };
}

/**
 * One mirror run: documents read and verified first (nothing is written when one fails), the selected files
 * fetched and put in place, the files no longer selected removed, then the documents written byte for byte, the
 * products files before the index that names them. A run that fails keeps every file already in place and the
 * previous documents; the next run resumes from the partial files.
 */
export async function runMirror(options: MirrorOptions): Promise<void> {
  const started = performance.now();
  const { reporter } = options;
  const dir = new MirrorDir(options.dir);
  reporter.started(options.source, dir.root);
  const release = await dir.lock();
  try {
    const { mirror, documents, state, plan } = await prepare(options, dir);
    reporter.planned(summarize(plan));
    const selection = { filters: options.filters.map((f) => f.text), ...(options.max === undefined ? {} : { max: options.max }) };
    if (plan.remove.length > 0 && selectionChanged(state, selection)) {
      reporter.selectionChanged({ filters: state.selection?.filters ?? [], max: state.selection?.max }, selection, plan.remove.length);
    }
    await dir.clearTmp();
    await dir.writeState(stateDuring(state, plan.wanted));
    const fetched = await fetchFiles(options, dir, mirror, plan);
    for (const file of plan.remove) {
      await dir.remove(file.path);
      reporter.fileRemoved(file.path, file.size);
    }
    const written = await writeDocuments(dir, documents.files, reporter);
    for (const skipped of documents.skipped) reporter.documentSkipped(skipped.path, skipped.reason);
    const paths = new Set(documents.files.map((f) => f.path));
    for (const old of state.documents.filter((p) => !paths.has(p))) {
      await dir.remove(old);
      reporter.documentRemoved(old);
    }
    await dir.writeState(stateAfter(plan.wanted, [...paths], selection));
    reporter.finished({ ...fetched, removed: plan.remove.length, documents: written, ms: Math.round(performance.now() - started) });
  } catch (err) {
    reporter.failed(err);
    throw err;
  } finally {
    await release();
  }
}

async function prepare(
  options: MirrorOptions,
  dir: MirrorDir,
): Promise<{ mirror: Mirror; documents: MirrorDocuments; state: MirrorState; plan: MirrorPlan }> {
  const mirror = await readMirror(options.source, options.policy);
  const documents = await collectDocuments(mirror, options.policy);
  const documentPaths = new Set(documents.files.map((f) => f.path));
  const selected = selectItems(mirror.items, { filters: options.filters, max: options.max });
  const wanted = mirrorFiles(selected, (path) => (documentPaths.has(path) ? `the document ${path}` : dir.reservedReason(path)));
  const state = await dir.readState();
  const onDisk = await sizesOnDisk(dir, wanted.map((f) => f.path));
  return { mirror, documents, state, plan: planMirror(wanted, state, onDisk) };
}

/** Copies already there are verified first; what they cannot give (and everything else) comes from the source. */
async function fetchFiles(options: MirrorOptions, dir: MirrorDir, mirror: Mirror, plan: MirrorPlan): Promise<{ files: number; bytes: number }> {
  const { reporter } = options;
  if (plan.adopt.length === 0 && plan.fetch.length === 0) return { files: 0, bytes: 0 };
  const store = new ContentStore({ root: dir.storeRoot });
  const downloader = new Downloader({ store, concurrency: options.concurrency });
  try {
    const verified = await placeFiles(plan.adopt, {
      dir,
      store,
      downloader,
      from: (file) => dir.pathOf(file.path),
      onPlaced: (file, outcome, ms) => reporter.fileStored({ path: file.path, bytes: outcome.bytes, sha256: outcome.sha256, ms, resumedFrom: 0, adopted: true }),
    });
    const toFetch = [...plan.fetch, ...verified.failed.map((f) => f.file)];
    const files = toFetch.length;
    let filesDone = 0;
    let bytes = 0;
    const begun = performance.now();
    const result = await placeFiles(toFetch, {
      dir,
      store,
      downloader,
      from: (file) => locate(mirror.root, file.path),
      onProgress: (p) => reporter.progress({ bytes: p.totalBytes, total: p.totalSize, elapsedMs: performance.now() - begun, filesDone, files }),
      onPlaced: (file, outcome, ms) => {
        filesDone += 1;
        bytes += outcome.fetched;
        reporter.fileStored({ path: file.path, bytes: outcome.bytes, sha256: outcome.sha256, ms, resumedFrom: outcome.resumedFrom, adopted: false });
      },
    });
    for (const { file, error } of result.failed) reporter.fileFailed(file.path, error);
    if (result.failed.length > 0) throw new MirrorIncompleteError(dir.root, result.failed.map(({ file, error }) => ({ path: file.path, error })));
    // Partials of a successful run belong to nothing wanted any more.
    await store.gc(new Set(), { wantedPartials: new Set() });
    return { files: result.placed.length, bytes };
  } finally {
    await downloader.close();
  }
}

/** Each document whose bytes differ from the mirror's copy, in order; returns how many were written. */
async function writeDocuments(dir: MirrorDir, files: readonly DocumentFile[], reporter: MirrorReporter): Promise<number> {
  let written = 0;
  for (const file of files) {
    const target = dir.pathOf(file.path);
    const current = await readFile(target).catch(() => undefined);
    if (current?.equals(file.content)) continue;
    await dir.writeFile(target, file.content);
    reporter.documentWritten(file.path, file.content.byteLength);
    written += 1;
  }
  if (written > 0) await dir.syncDirs(files.map((f) => dirname(dir.pathOf(f.path))));
  return written;
}

async function sizesOnDisk(dir: MirrorDir, paths: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  await Promise.all(
    paths.map(async (path) => {
      const s = await lstat(dir.pathOf(path)).catch(() => undefined);
      if (s?.isFile()) sizes.set(path, s.size);
    }),
  );
  return sizes;
}

function summarize(plan: MirrorPlan): PlanSummary {
  const total = (files: readonly { size: number }[]): number => files.reduce((sum, f) => sum + f.size, 0);
  return {
    files: plan.wanted.length,
    fetch: plan.fetch.length,
    bytes: total(plan.fetch),
    verify: plan.adopt.length,
    upToDate: plan.current.length,
    remove: plan.remove.length,
    removeBytes: total(plan.remove),
  };
}
