import type { Downloader, FileOutcome, FileRequest, RetryPolicy } from '@bootsync/shared/download';
import type { IntegrityGuard } from '../integrity/index.js';
import { ChecksumMismatchError, DownloadAbortedError, SizeMismatchError } from '@bootsync/shared/download';
import type { Logger } from '@bootsync/shared/logging';
import type { RegionStreamClient, SyncProgress, SyncResult } from '@bootsync/shared/rack-protocol';
import type { RegionLink } from '../regions/index.js';
import type { BlobSink, ContentStore } from '@bootsync/shared/store';
import type { ProductItem } from '@bootsync/shared/streams';
import type { RackMetrics } from '../metrics/index.js';
import {
  ensureWritableDataDir,
  maasMeta,
  planBlobs,
  planImages,
  planSnapshot,
  publishSnapshot,
  pruneDataDir,
  readCurrent,
  unwritableDataDir,
  writeSyncTarget,
  type SnapshotPlan,
} from '../snapshot/index.js';
import { downloadFromRegions, fileRequest } from './region-downloads.js';
import type { SerialLock } from './serial-lock.js';

export interface SyncOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: SyncProgress) => void;
}

export interface RackSyncDeps {
  readonly dataDir: string;
  readonly cache: ContentStore;
  readonly downloader: Downloader;
  /** The regions, one at a time: the stream is read and the files fetched from the current one. */
  readonly regions: RegionLink;
  /** How rounds of regions that all failed are retried (the downloader's policy). */
  readonly retry: RetryPolicy;
  readonly metrics: RackMetrics;
  readonly logger: Logger;
  readonly lock: SerialLock;
  readonly graceMs: number;
  readonly integrity: IntegrityGuard;
}

/**
 * One sync: check `current` (size and mtime of every file; damaged files are withheld), read the region stream (one
 * request when unchanged), record the plan's blobs as the sync target (under the lock pruning takes, so from
 * then on no prune removes them), download only the blobs the cache lacks (free space checked first, every file
 * verified), then publish a new snapshot and prune under that lock again. Any failure leaves `current` on the
 * previous snapshot; fetched blobs and partials stay claimed for the retry.
 */
export async function syncRack(deps: RackSyncDeps, options: SyncOptions = {}): Promise<SyncResult> {
  try {
    return await sync(deps, options);
  } catch (err) {
    // A refused write says so (EROFS/EACCES and the path), whichever step met it first.
    throw unwritableDataDir(deps.dataDir, err) ?? err;
  }
}

async function sync(deps: RackSyncDeps, options: SyncOptions): Promise<SyncResult> {
  const { signal } = options;
  const started = Date.now();
  const current = await readCurrent(deps.dataDir);
  const whole = current ? await deps.integrity.checkCurrent(current) : true;
  // Said first thing: the region counts these as held until the job ends, however the repair goes.
  if (current && !whole) options.onProgress?.({ bytesDone: 0, bytesTotal: 0, images: deps.integrity.wholeImages(planImages(current.manifest.plan)) });
  const stream = await deps.regions.read(signal);
  if (current && whole && current.manifest.source === stream.tag) {
    // The region went back to what `current` holds: a target left by a failed sync of another state claims no more.
    await claim(deps, stream.tag, planBlobs(current.manifest.plan));
    options.onProgress?.({ bytesDone: 0, bytesTotal: 0 });
    deps.metrics.recordSync(started);
    return result(deps, current.name, current.manifest.plan, false, 0);
  }
  const plan = planSnapshot(stream.items);
  const needed = planBlobs(plan);
  await ensureWritableDataDir(deps.dataDir);
  await claim(deps, stream.tag, needed);
  const missing = await missingItems(deps.cache, stream.items, needed);
  await deps.cache.ensureFreeSpace(missing.reduce((sum, f) => sum + f.size, 0));
  const outcomes = await downloadFromRegions({ downloader: deps.downloader, link: deps.regions, retry: deps.retry }, missing, {
    ...(signal ? { signal } : {}),
    onProgress: (bytesDone, bytesTotal) => options.onProgress?.({ bytesDone, bytesTotal }),
  });
  let fetched = 0;
  for (const outcome of outcomes) {
    if (outcome.ok) fetched += outcome.fetched;
    else if (outcome.error instanceof ChecksumMismatchError || outcome.error instanceof SizeMismatchError) deps.metrics.verificationFailures.inc();
  }
  deps.metrics.bytesFetched.inc(fetched);
  const failed = firstFailure(outcomes);
  if (failed) throw failed;
  const published = await deps.lock.run(async () => {
    const snapshot = await publishSnapshot({
      dataDir: deps.dataDir,
      plan,
      blobPath: (s) => deps.cache.pathOf(s),
      source: stream.tag,
      maasMeta: maasMeta(stream.items),
      ...(signal ? { signal } : {}),
    });
    deps.integrity.repaired(snapshot.name);
    await pruneDataDir({ dataDir: deps.dataDir, cache: deps.cache, graceMs: deps.graceMs });
    return snapshot;
  });
  deps.metrics.recordSync(started);
  deps.logger.info({ event: 'rack.sync.published', snapshot: published.name, bytes: fetched, files: missing.length, ms: Date.now() - started });
  return result(deps, published.name, plan, true, fetched);
}

/** From here on no prune removes these blobs or their partials, until a sync of another stream state claims others. */
function claim(deps: RackSyncDeps, source: string, blobs: ReadonlyMap<string, number>): Promise<void> {
  return deps.lock.run(() => writeSyncTarget(deps.dataDir, { source, blobs: Object.fromEntries(blobs) }));
}

/** The files of `needed` blobs the cache lacks, each once, as the region stream names them. */
export async function missingFiles(
  deps: { readonly cache: Pick<BlobSink, 'has'>; readonly client: Pick<RegionStreamClient, 'fileUrl'> },
  items: readonly ProductItem[],
  needed: ReadonlyMap<string, number>,
): Promise<FileRequest[]> {
  return (await missingItems(deps.cache, items, needed)).map((item) => fileRequest(item, deps.client.fileUrl(item)));
}

/** The stream items of `needed` blobs the cache lacks, one per blob. */
async function missingItems(cache: Pick<BlobSink, 'has'>, items: readonly ProductItem[], needed: ReadonlyMap<string, number>): Promise<ProductItem[]> {
  const bySha = new Map<string, ProductItem>();
  for (const item of items) {
    const sha256 = item.checksums.sha256;
    if (sha256 && needed.has(sha256) && !bySha.has(sha256)) bySha.set(sha256, item);
  }
  const missing: ProductItem[] = [];
  for (const [sha256, item] of bySha) if (!(await cache.has(sha256))) missing.push(item);
  return missing;
}

/** What failed the download: a file's own failure before the stops it caused in the others. */
function firstFailure(outcomes: readonly FileOutcome[]): Error | undefined {
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
  return failures.find((err) => !(err instanceof DownloadAbortedError)) ?? failures[0];
}

function result(deps: RackSyncDeps, snapshot: string, plan: SnapshotPlan, changed: boolean, bytesFetched: number): SyncResult {
  const images = deps.integrity.wholeImages(planImages(plan));
  return { snapshot, changed, bytesFetched, files: plan.files.length + plan.archives.length, images };
}
