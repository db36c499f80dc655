import type { ContentStore } from '../store/index.js';
import { ConnectionPools } from './connection-pools.js';
import { DownloadAbortedError } from './errors.js';
import { fetchFile } from './fetch-file.js';
import { DOWNLOADER_DEFAULTS, type DownloaderOptions, type RetryPolicy } from './options.js';
import { parseNoProxy } from './proxy.js';
import { sourceFor, type HttpSettings } from './sources.js';
import type { DownloadCallOptions, FileOutcome, FileRequest } from './types.js';

/**
 * Fetches files into a ContentStore: verified on the way, resumed from partial files, retried per policy, a
 * bounded number at a time. One failed file never fails the others.
 */
export class Downloader {
  readonly #store: ContentStore;
  readonly #concurrency: number;
  readonly #retry: RetryPolicy;
  readonly #http: HttpSettings;
  readonly #pools: ConnectionPools;

  constructor(options: DownloaderOptions) {
    const concurrency = options.concurrency ?? DOWNLOADER_DEFAULTS.concurrency;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`Downloader concurrency must be a positive integer, got ${concurrency}`);
    }
    this.#store = options.store;
    this.#concurrency = concurrency;
    this.#retry = { ...DOWNLOADER_DEFAULTS.retry, ...options.retry };
    const connectTimeout = options.connectTimeoutMs ?? DOWNLOADER_DEFAULTS.connectTimeoutMs;
    const agentOptions = { connections: concurrency, connectTimeout, connect: { timeout: connectTimeout } };
    const pools = new ConnectionPools({ agent: agentOptions, proxy: options.proxy, noProxy: parseNoProxy(options.noProxy) });
    this.#pools = pools;
    this.#http = {
      dispatcherFor: (url) => pools.dispatcherFor(url),
      connectionsSignal: () => pools.signal,
      headers: { 'user-agent': options.userAgent ?? DOWNLOADER_DEFAULTS.userAgent, ...options.headers },
      idleTimeoutMs: options.idleTimeoutMs ?? DOWNLOADER_DEFAULTS.idleTimeoutMs,
    };
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

  /** Closes the connection pools. */
  async close(): Promise<void> {
    await this.#pools.close();
  }

  async #fetchOne(
    request: FileRequest,
    spaceError: Error | undefined,
    signal: AbortSignal | undefined,
    report: (request: FileRequest, bytes: number) => void,
  ): Promise<FileOutcome> {
    if (signal?.aborted) return { ok: false, request, error: new DownloadAbortedError(request.url, 0, request.ref) };
    if (spaceError) return { ok: false, request, error: spaceError };
    try {
      const source = sourceFor(request.url, request.ref, this.#http);
      return await fetchFile(request, source, {
        store: this.#store,
        retry: this.#retry,
        signal,
        progress: (bytes) => report(request, bytes),
      });
    } catch (err) {
      return { ok: false, request, error: err instanceof Error ? err : new Error(String(err)) };
    }
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
