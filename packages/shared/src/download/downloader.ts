import { ContentStore, type BlobSink } from '../store/index.js';
import { DownloadAbortedError } from './errors.js';
import { LocalTransfers, transferSettings, type Transfers } from './local-transfers.js';
import { DOWNLOADER_DEFAULTS, type DownloaderOptions } from './options.js';
import { WorkerTransfers } from './worker-transfers.js';
import type { DownloadCallOptions, FileOutcome, FileRequest } from './types.js';

/**
 * Fetches files into a ContentStore (or another BlobSink): verified on the way, resumed from partial files, retried per policy, a
 * bounded number at a time. One failed file never fails the others.
 */
export class Downloader {
  readonly #store: BlobSink;
  readonly #concurrency: number;
  readonly #transfers: Transfers;

  constructor(options: DownloaderOptions) {
    const settings = transferSettings(options);
    const concurrency = settings.concurrency;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`Downloader concurrency must be a positive integer, got ${concurrency}`);
    }
    this.#store = options.store;
    this.#concurrency = concurrency;
    const threads = Math.min(options.threads ?? DOWNLOADER_DEFAULTS.threads, concurrency);
    if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`Downloader threads must be a whole number >= 0, got ${threads}`);
    const { store } = options;
    // Threads open the store by its root: a sink that is not a ContentStore is written here.
    this.#transfers = threads === 0 || !(store instanceof ContentStore) ? new LocalTransfers(store, settings) : new WorkerTransfers(store, settings, threads);
  }

  /** Outcomes in the order of `files`. Files with the same checksum are fetched once. */
  async download(files: readonly FileRequest[], options: DownloadCallOptions = {}): Promise<FileOutcome[]> {
    const { signal, onProgress, onFile } = options;
    const unique = [...new Map(files.map((f) => [identity(f), f])).values()];
    const onDisk = new Map<FileRequest, number>();
    const totalSize = unique.reduce((sum, f) => sum + f.size, 0);
    let totalBytes = 0;
    const report = (request: FileRequest, fileBytes: number): void => {
      totalBytes += fileBytes - (onDisk.get(request) ?? 0);
      onDisk.set(request, fileBytes);
      onProgress?.({ request, fileBytes, fileSize: request.size, totalBytes, totalSize });
    };

    const results = new Map<string, FileOutcome>();
    const spaceError = await this.#checkSpace(unique);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < unique.length; i = next++) {
        const request = unique[i] as FileRequest;
        const outcome = await this.#fetchOne(request, spaceError, signal, report);
        results.set(identity(request), outcome);
        onFile?.(outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, unique.length) }, worker));
    return files.map((request) => ({ ...(results.get(identity(request)) as FileOutcome), request }));
  }

  /** Closes the connection pools and stops the download threads. */
  async close(): Promise<void> {
    await this.#transfers.close();
  }

  async #fetchOne(
    request: FileRequest,
    spaceError: Error | undefined,
    signal: AbortSignal | undefined,
    report: (request: FileRequest, bytes: number) => void,
  ): Promise<FileOutcome> {
    if (signal?.aborted) return { ok: false, request, error: new DownloadAbortedError(request.url, 0, request.ref) };
    if (spaceError) return { ok: false, request, error: spaceError };
    return this.#transfers.fetch(request, signal, (bytes) => report(request, bytes));
  }

  /** One check before anything is written: room for every file not yet stored. */
  async #checkSpace(files: readonly FileRequest[]): Promise<Error | undefined> {
    let needed = 0;
    for (const f of files) {
      const sha256 = f.checksums.sha256?.toLowerCase();
      const stored = sha256 && /^[0-9a-f]{64}$/.test(sha256) ? await this.#store.has(sha256) : false;
      if (!stored) needed += f.size;
    }
    try {
      await this.#store.ensureFreeSpace(needed);
      return undefined;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }
}

/** Requests for the same content are one download. */
function identity(f: FileRequest): string {
  const { sha256, sha512, md5 } = f.checksums;
  return sha256 ? `sha256:${sha256.toLowerCase()}` : sha512 ? `sha512:${sha512.toLowerCase()}` : md5 ? `md5:${md5.toLowerCase()}` : `url:${f.url}`;
}
