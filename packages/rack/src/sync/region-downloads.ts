import { DownloadAbortedError, pause, RetryStreak, turnDelay, type Downloader, type FileOutcome, type FileRequest, type RetryPolicy } from '@bootsync/shared/download';
import { busyFor, isRegionFailure } from '@bootsync/shared/rack-protocol';
import type { ProductItem } from '@bootsync/shared/streams';
import type { RegionLink } from '../regions/index.js';

export interface RegionDownloadDeps {
  /** With several regions it gives a file up at its first failure (regionDownloader): the rack then moves on. */
  readonly downloader: Pick<Downloader, 'download'>;
  readonly link: Pick<RegionLink, 'regions' | 'fileUrl' | 'answered' | 'moveOn'>;
  /** How rounds of regions that all failed are waited between, and when the rack gives up. */
  readonly retry: RetryPolicy;
}

export interface RegionDownloadOptions {
  readonly signal?: AbortSignal;
  /** Bytes on disk of all the files asked, whichever region each came from, and their total. */
  readonly onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/** A stream item's file, as the downloader fetches it from `url`. */
export function fileRequest(item: ProductItem, url: string): FileRequest {
  return { url, size: item.size, checksums: item.checksums, ref: item.ref };
}

/**
 * Fetches the files of `items` from the link's current region; one outcome per item, in order. With several regions,
 * at the first failure another region may not have (a connection error, a 5xx, a 503: isRegionFailure) the files
 * under way stop (their partials kept), the link moves to the next region, and every file not yet stored is asked
 * of it: partials resume there, as every region gives a blob the same ETag (its sha256). Once every region failed in
 * turn, the rack waits and goes round again: as long as the shortest a busy region asked (503 + Retry-After: that
 * region is up, and the wait is its turn, not a failure), else as `retry` says (a round that stored new bytes starts
 * the count again), until the policy gives up. Any other
 * failure (a wrong file) ends the download as it is. With one region this is one call of the downloader, with its
 * own retries: what a rack did before it knew several.
 */
export async function downloadFromRegions(deps: RegionDownloadDeps, items: readonly ProductItem[], options: RegionDownloadOptions = {}): Promise<FileOutcome[]> {
  const { signal } = options;
  const bytesTotal = items.reduce((sum, item) => sum + item.size, 0);
  if (deps.link.regions === 1) {
    const requests = items.map((item) => fileRequest(item, deps.link.fileUrl(item)));
    return deps.downloader.download(requests, { ...(signal ? { signal } : {}), onProgress: (p) => options.onProgress?.(p.totalBytes, bytesTotal) });
  }
  const stored = new Map<ProductItem, FileOutcome>();
  const streak = new RetryStreak(deps.retry);
  let round = { progressed: false, busyMs: undefined as number | undefined };
  for (;;) {
    const pending = items.filter((item) => !stored.has(item));
    const storedBytes = bytesTotal - pending.reduce((sum, item) => sum + item.size, 0);
    const attempt = await fromCurrentRegion(deps, pending, signal, (bytes) => options.onProgress?.(storedBytes + bytes, bytesTotal));
    pending.forEach((item, i) => {
      const outcome = attempt.outcomes[i];
      if (outcome?.ok) stored.set(item, outcome);
    });
    const outcomes = (): FileOutcome[] => items.map((item) => stored.get(item) ?? (attempt.outcomes[pending.indexOf(item)] as FileOutcome));
    const { regionFailure } = attempt;
    if (regionFailure === undefined || attempt.otherFailure || signal?.aborted) return outcomes();
    if (attempt.progressed) deps.link.answered();
    const busy = busyFor(regionFailure);
    round = { progressed: round.progressed || attempt.progressed, busyMs: busy === undefined ? round.busyMs : Math.min(busy, round.busyMs ?? busy) };
    if (!deps.link.moveOn(regionFailure).roundOver) continue;
    const wait = round.busyMs !== undefined ? turnDelay(round.busyMs) : streak.fail(round.progressed);
    if (wait === undefined) return outcomes();
    round = { progressed: false, busyMs: undefined };
    await pause(wait, signal);
  }
}

interface RegionAttempt {
  /** One per file asked, in order. */
  readonly outcomes: FileOutcome[];
  /** The failure that stopped the files still under way (another region may not have it). */
  readonly regionFailure: Error | undefined;
  /** A file failed otherwise (a wrong file, a full disk): another region would not help. */
  readonly otherFailure: boolean;
  /** Bytes were stored: a file completed, or grew past where it started. */
  readonly progressed: boolean;
}

/** The files from the current region, all stopped (partials kept) at the first failure another region may not have. */
async function fromCurrentRegion(
  deps: RegionDownloadDeps,
  items: readonly ProductItem[],
  signal: AbortSignal | undefined,
  onBytes: (bytes: number) => void,
): Promise<RegionAttempt> {
  const stop = new AbortController();
  const startedAt = new Map<FileRequest, number>();
  let regionFailure: Error | undefined;
  let progressed = false;
  const requests = items.map((item) => fileRequest(item, deps.link.fileUrl(item)));
  const outcomes = await deps.downloader.download(requests, {
    signal: signal ? AbortSignal.any([signal, stop.signal]) : stop.signal,
    onProgress: (p) => {
      const start = startedAt.get(p.request);
      if (start === undefined) startedAt.set(p.request, p.fileBytes);
      else if (p.fileBytes > start) progressed = true;
      onBytes(p.totalBytes);
    },
    onFile: (outcome) => {
      if (outcome.ok) progressed ||= outcome.fetched > 0;
      else if (regionFailure === undefined && isRegionFailure(outcome.error)) {
        regionFailure = outcome.error;
        stop.abort();
      }
    },
  });
  const otherFailure = outcomes.some((o) => !o.ok && o.error !== regionFailure && !(o.error instanceof DownloadAbortedError) && !isRegionFailure(o.error));
  return { outcomes, regionFailure, otherFailure, progressed };
}
