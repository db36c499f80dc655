import type { Downloader, FileOutcome } from '@bootsync/shared/download';
import type { FileToFetch } from '@bootsync/shared/select';
import { locate, type MirrorRoot } from '@bootsync/shared/streams';

export interface FetchFilesOptions {
  readonly downloader: Downloader;
  /** The mirror root of each source read in this pass. */
  readonly roots: ReadonlyMap<number, MirrorRoot>;
  /** Files in flight at once. */
  readonly concurrency: number;
  readonly signal: AbortSignal;
  /** Bytes of the file on disk so far (resumed bytes included). */
  readonly onProgress: (file: FileToFetch, bytes: number) => void;
  /** Called as soon as each file is stored or has failed, so its sets complete without waiting for the others. */
  readonly onDone: (file: FileToFetch, outcome: FileOutcome, ms: number) => Promise<void>;
}

/**
 * Downloads the plan's files, `concurrency` at a time, one `download()` call per file: the downloader's agents are
 * shared across calls, and a per-file call tells when that file is verified rather than when the last one is.
 */
export async function fetchFiles(files: readonly FileToFetch[], options: FetchFilesOptions): Promise<void> {
  // Largest first: a squashfs started last would finish alone on one connection while the others sit idle.
  const queue = [...files].sort((a, b) => b.size - a.size);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < queue.length; i = next++) {
      const file = queue[i] as FileToFetch;
      const root = options.roots.get(file.sourceId);
      if (root === undefined) continue;
      const started = performance.now();
      const request = { url: locate(root, file.path), size: file.size, checksums: file.checksums, ref: file.ref };
      const [outcome] = await options.downloader.download([request], {
        signal: options.signal,
        onProgress: (p) => options.onProgress(file, p.fileBytes),
      });
      if (outcome) await options.onDone(file, outcome, Math.round(performance.now() - started));
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, queue.length) }, worker));
}
