import { Downloader, ChecksumMismatchError, isHttpClient, type FileOutcome } from '@bootsync/shared/download';
import type { Logger } from '@bootsync/shared/logging';
import { offeredImages, planCleanup, planImport, type FileToFetch, type HeldSet, type WantedSet } from '@bootsync/shared/select';
import type { ContentStore } from '@bootsync/shared/store';
import { formatItemRef, type MirrorRoot } from '@bootsync/shared/streams';
import type { BootSourceWithSelections, Repositories } from '../db/index.js';
import { checkPublishedBlobs } from '../integrity/index.js';
import { cacheEntries } from './cache-entries.js';
import { MissingSha256Error } from './errors.js';
import { ensureSetRows, heldSets } from './held-sets.js';
import { fetchFiles } from './fetch-files.js';
import { createProgressWriter } from './progress-writer.js';
import { importProxy } from './proxy.js';
import type { RunRecorder } from './run-recorder.js';
import type { ImportTuning } from './service-types.js';
import { imageLabel, SetTracker } from './set-tracker.js';
import { readSources, type ReadableSource, type SourceRead } from './source-reads.js';

export interface PassContext {
  readonly repos: Repositories;
  readonly store: ContentStore;
  readonly log: Logger;
  readonly run: RunRecorder;
  readonly retention: number;
  /** Largest index or products document read (`--max-document-size`). */
  readonly maxDocumentSize: number | undefined;
  /** The HTTP client of plain-http downloads (`--download-client`). */
  readonly downloadClient: string | undefined;
  readonly tuning: ImportTuning;
  /** Aborted on stop-import, shutdown, or when sources change (then the run starts over). */
  readonly signal: AbortSignal;
}

/**
 * One pass over the enabled sources: read, cache, plan, create rows, download, complete sets, clean up.
 * Returns the sources generation it worked from, so the caller can tell whether they changed meanwhile.
 */
export async function importPass(ctx: PassContext): Promise<{ generation: number }> {
  const { repos, log, run } = ctx;
  const { generation, sources } = await repos.selections.enabledSourcesWithSelections();
  await checkStore(ctx);
  const reads = await readSources(sources, {
    retry: ctx.tuning.sourceReadRetry,
    proxy: importProxy(await repos.config.get(), sources.map((s) => s.url)),
    signal: ctx.signal,
    maxDocumentSize: ctx.maxDocumentSize,
    log,
  });
  if (ctx.signal.aborted) return { generation };
  const readable = await recordReads(ctx, reads);

  const stored = new Set(await ctx.store.list());
  const isStored = (sha256: string): boolean => stored.has(sha256);
  const plan = planImport({
    sources: readable.map((r) => ({ sourceId: r.source.id, items: r.mirror.items, selections: r.source.selections })),
    storeHas: isStored,
    held: await heldSets(repos),
  });

  log.info({
    event: 'import.planned',
    sets: plan.wantedSets.length,
    upToDate: plan.alreadyComplete.length,
    files: plan.fetch.length,
    bytes: plan.fetch.reduce((n, f) => n + f.size, 0),
  });
  const tracker = new SetTracker(repos);
  for (const wanted of plan.wantedSets) {
    try {
      const unaddressed = wanted.files.find((f) => f.sha256 === null);
      if (unaddressed) throw new MissingSha256Error(imageLabel(wanted), wanted.version, formatItemRef(unaddressed.ref));
      await tracker.add(wanted, await ensureSetRows(repos, wanted, isStored), isStored);
    } catch (err) {
      // One set that cannot be recorded fails alone; the other images go on.
      run.error(imageLabel(wanted), err);
      failedSet(ctx, wanted, err);
    }
  }
  for (const set of await tracker.completeReady()) completed(ctx, set.wanted);

  const fetch = plan.fetch.filter((f) => f.sha256 !== null);
  if (fetch.length > 0) await download(ctx, fetch, readable, tracker, stored);
  if (ctx.signal.aborted) return { generation };

  // A source that could not be read, or read empty, deletes nothing (LP:1387133).
  if (readable.length === sources.length) await cleanUp(ctx, readable, sources);
  else log.warn({ event: 'import.cleanup.skipped', reason: 'a boot source could not be read' });
  return { generation };
}

/**
 * A complete set is trusted only while its blobs are there at their size: one that lost a blob becomes damaged,
 * so the plan below fetches the blob again. Blobs of damaged sets (found here or by the scrub) count as repairs.
 */
async function checkStore(ctx: PassContext): Promise<void> {
  for (const damage of await checkPublishedBlobs(ctx.repos, ctx.store)) {
    ctx.log.warn({ event: 'import.blob.damaged', sha256: damage.sha256, reason: damage.kind, image: damage.images.join(', '), quarantined: damage.quarantined });
  }
  ctx.run.toRepair(await ctx.repos.resourceSets.damagedSha256());
}

async function recordReads(ctx: PassContext, reads: readonly SourceRead[]): Promise<ReadableSource[]> {
  const readable: ReadableSource[] = [];
  for (const read of reads) {
    if (!read.ok) {
      ctx.run.error(read.source.url, read.error);
      ctx.log.error({ event: 'import.source.failed', source: read.source.url, err: read.error });
      continue;
    }
    ctx.run.sourceRead();
    await ctx.repos.sourceCache.replace(read.source.id, cacheEntries(read.mirror.items));
    readable.push(read);
  }
  return readable;
}

async function download(
  ctx: PassContext,
  fetch: readonly FileToFetch[],
  readable: readonly ReadableSource[],
  tracker: SetTracker,
  stored: Set<string>,
): Promise<void> {
  try {
    await ctx.store.ensureFreeSpace(fetch.reduce((n, f) => n + f.size, 0));
  } catch (err) {
    ctx.run.error(ctx.store.root, err);
    for (const file of fetch) for (const set of tracker.failed(file.contentKey)) failedSet(ctx, set.wanted, err);
    return;
  }
  const proxy = importProxy(await ctx.repos.config.get(), readable.map((r) => r.source.url));
  const downloader = new Downloader({
    store: ctx.store,
    concurrency: ctx.tuning.concurrency,
    retry: ctx.tuning.downloadRetry,
    proxy: proxy.proxy,
    noProxy: proxy.noProxy,
    ...(ctx.downloadClient !== undefined && isHttpClient(ctx.downloadClient) ? { httpClient: ctx.downloadClient } : {}),
  });
  const progress = createProgressWriter(async (batch) => {
    await Promise.all([...batch].map(([content, bytes]) => tracker.progress(content, bytes)));
  }, ctx.tuning.progressIntervalMs);
  try {
    await fetchFiles(fetch, {
      downloader,
      roots: new Map<number, MirrorRoot>(readable.map((r) => [r.source.id, r.mirror.root])),
      concurrency: ctx.tuning.concurrency,
      signal: ctx.signal,
      onProgress: (file, bytes) => progress.update(file.contentKey, bytes),
      onDone: async (file, outcome, ms) => {
        if (outcome.ok) {
          stored.add(outcome.sha256);
          progress.update(file.contentKey, file.size);
        }
        await fileDone(ctx, tracker, file, outcome, ms);
      },
    });
  } finally {
    try {
      await progress.close();
    } finally {
      await downloader.close();
    }
  }
}

async function fileDone(ctx: PassContext, tracker: SetTracker, file: FileToFetch, outcome: FileOutcome, ms: number): Promise<void> {
  const image = tracker.setsOf(file.contentKey).map((s) => imageLabel(s.wanted)).join(', ');
  if (outcome.ok) {
    ctx.run.fileFetched(outcome.fetched);
    ctx.log.info({ event: 'import.file.verified', image, item: formatItemRef(file.ref), sha256: outcome.sha256, bytes: outcome.bytes, ms });
    if (ctx.run.repaired(outcome.sha256)) ctx.log.info({ event: 'import.blob.repaired', image, sha256: outcome.sha256, bytes: outcome.bytes });
    for (const set of await tracker.stored(file.contentKey)) completed(ctx, set.wanted);
    return;
  }
  // Stopped or starting over: the partial stays for the next run; that is not a failure of the file.
  if (ctx.signal.aborted) return;
  if (outcome.error instanceof ChecksumMismatchError) ctx.run.checksumFailed();
  ctx.run.error(formatItemRef(file.ref), outcome.error);
  ctx.log.error({ event: 'import.file.failed', image, item: formatItemRef(file.ref), err: outcome.error });
  for (const set of tracker.failed(file.contentKey)) failedSet(ctx, set.wanted, outcome.error);
}

function completed(ctx: PassContext, wanted: WantedSet): void {
  ctx.run.setCompleted();
  ctx.log.info({ event: 'import.set.complete', image: imageLabel(wanted), version: wanted.version });
}

function failedSet(ctx: PassContext, wanted: WantedSet, err: unknown): void {
  ctx.run.setFailed();
  ctx.log.warn({ event: 'import.set.failed', image: imageLabel(wanted), version: wanted.version, err });
}

/** Retention, unselected images and unreferenced blobs; one removal failing does not stop the others (LP:1947629). */
async function cleanUp(
  ctx: PassContext,
  readable: readonly ReadableSource[],
  sources: readonly BootSourceWithSelections[],
): Promise<void> {
  const { repos } = ctx;
  const held = await heldSets(repos);
  const cleanup = planCleanup({
    held,
    offered: readable.flatMap((r) => offeredImages(r.mirror.items).map((i) => i.identity)),
    selections: sources.flatMap((s) => s.selections),
    retention: ctx.retention,
  });
  const dropped = async (what: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
      ctx.run.changed = true;
      ctx.log.info({ event: 'import.cleanup.removed', image: what });
    } catch (err) {
      ctx.run.error(what, err);
    }
  };
  for (const identity of cleanup.dropImages) {
    const resource = await repos.bootResources.findByName(identity.name, identity.architecture);
    if (resource) await dropped(`${identity.name} ${identity.architecture}`, () => repos.bootResources.delete(resource.id));
  }
  const setIds = new Map<HeldSet, number>(held.map((h) => [h, h.setId]));
  for (const set of cleanup.dropSets) {
    const setId = setIds.get(set);
    if (setId !== undefined) {
      await dropped(`${set.image.identity.name} ${set.image.identity.architecture} ${set.version}`, () => repos.resourceSets.delete(setId));
    }
  }
  // Partials of files no set references any more (an image unselected mid-download) go with the blobs, and so do
  // those of images posted whole that no upload is writing (a region that died mid-POST left them).
  const referenced = await repos.resourceSets.referencedSha256();
  const gc = await ctx.store.gc(referenced, { wantedPartials: referenced });
  if (gc.removed.length > 0 || gc.partials.length > 0) {
    ctx.log.info({ event: 'import.gc', blobs: gc.removed.length, partials: gc.partials.length, bytes: gc.bytes });
  }
}
