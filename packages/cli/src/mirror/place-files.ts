import path from 'node:path';
import type { DownloadProgress, Downloader, FileOutcome, FileRequest } from '@bootsync/shared/download';
import type { ContentStore } from '@bootsync/shared/store';
import type { MirrorDir } from './mirror-dir.js';
import type { MirrorFile } from './mirror-plan.js';

export interface PlaceOptions {
  readonly dir: MirrorDir;
  readonly store: ContentStore;
  readonly downloader: Downloader;
  /** Where each file's bytes come from: the source's URL, or the file already in the mirror (to verify it). */
  readonly from: (file: MirrorFile) => string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
  readonly onPlaced?: (file: MirrorFile, outcome: FileOutcome & { ok: true }, ms: number) => void;
}

export interface PlaceResult {
  readonly placed: readonly MirrorFile[];
  readonly failed: readonly { readonly file: MirrorFile; readonly error: Error }[];
}

/**
 * Fetches files with the downloader into the mirror's store (verified, resumable from its partials) and, as each one
 * is stored, renames it to its path (and links it to any other path with the same content): a file appears at its
 * path complete and verified, or not at all. Largest first, so a big file does not finish alone at the end.
 */
export async function placeFiles(files: readonly MirrorFile[], options: PlaceOptions): Promise<PlaceResult> {
  const groups = new Map<string, MirrorFile[]>();
  for (const file of files) groups.set(file.key, [...(groups.get(file.key) ?? []), file]);
  const requests = new Map<FileRequest, MirrorFile[]>();
  for (const group of groups.values()) {
    const first = group[0]!;
    requests.set({ url: options.from(first), size: first.size, checksums: first.checksums, ref: first.refs[0] }, group);
  }
  const placed: MirrorFile[] = [];
  const failed: { file: MirrorFile; error: Error }[] = [];
  const placing: Promise<void>[] = [];
  const begun = new Map<FileRequest, number>();
  const started = performance.now();
  const settle = async (outcome: FileOutcome): Promise<void> => {
    const group = requests.get(outcome.request) ?? [];
    if (!outcome.ok) {
      failed.push(...group.map((file) => ({ file, error: outcome.error })));
      return;
    }
    try {
      await putInPlace(options, outcome.sha256, group);
      const ms = Math.round(performance.now() - (begun.get(outcome.request) ?? started));
      for (const file of group) {
        placed.push(file);
        options.onPlaced?.(file, outcome, ms);
      }
    } catch (err) {
      failed.push(...group.map((file) => ({ file, error: err instanceof Error ? err : new Error(String(err)) })));
    }
  };
  const ordered = [...requests.keys()].sort((a, b) => b.size - a.size);
  await options.downloader.download(ordered, {
    signal: options.signal,
    onProgress: (progress) => {
      if (!begun.has(progress.request)) begun.set(progress.request, performance.now());
      options.onProgress?.(progress);
    },
    onFile: (outcome) => placing.push(settle(outcome)),
  });
  await Promise.all(placing);
  await options.dir.syncDirs(placed.map((f) => path.dirname(options.dir.pathOf(f.path))));
  return { placed, failed };
}

/** The stored blob leaves the store for its path; further paths with the same content get a link or a copy. */
async function putInPlace(options: PlaceOptions, sha256: string, group: readonly MirrorFile[]): Promise<void> {
  const blob = options.store.pathOf(sha256);
  const [first, ...others] = group;
  for (const file of others) await options.dir.copyIn(blob, options.dir.pathOf(file.path));
  if (first) await options.dir.moveIn(blob, options.dir.pathOf(first.path));
}
