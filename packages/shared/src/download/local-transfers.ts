import type { ContentStore } from '../store/index.js';
import { ConnectionPools } from './connection-pools.js';
import { fetchFile } from './fetch-file.js';
import { Http1Agent } from './http1/index.js';
import { DOWNLOADER_DEFAULTS, type DownloaderOptions, type HttpClientChoice, type RetryPolicy } from './options.js';
import { parseNoProxy } from './proxy.js';
import { sourceFor, type HttpSettings } from './sources.js';
import type { FileOutcome, FileRequest } from './types.js';

/** A Downloader's settings without its store: plain data, so a worker thread can be given them. */
export interface TransferSettings {
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly proxy?: string;
  readonly noProxy?: string | readonly string[];
  /** Sent with every request, `user-agent` included. */
  readonly headers: Readonly<Record<string, string>>;
  readonly httpClient: HttpClientChoice;
}

export function transferSettings(options: DownloaderOptions): TransferSettings {
  return {
    concurrency: options.concurrency ?? DOWNLOADER_DEFAULTS.concurrency,
    retry: { ...DOWNLOADER_DEFAULTS.retry, ...options.retry },
    connectTimeoutMs: options.connectTimeoutMs ?? DOWNLOADER_DEFAULTS.connectTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? DOWNLOADER_DEFAULTS.idleTimeoutMs,
    ...(options.proxy !== undefined ? { proxy: options.proxy } : {}),
    ...(options.noProxy !== undefined ? { noProxy: options.noProxy } : {}),
    headers: { 'user-agent': options.userAgent ?? DOWNLOADER_DEFAULTS.userAgent, ...options.headers },
    httpClient: options.httpClient ?? 'bootsync',
  };
}

/** Fetches one file at a time per call into a store; what a Downloader runs, in its own thread or in a worker. */
export interface Transfers {
  /** Never throws: a failure is the outcome. `progress` gets the bytes of the file on disk. */
  fetch(request: FileRequest, signal: AbortSignal | undefined, progress: (bytes: number) => void): Promise<FileOutcome>;
  close(): Promise<void>;
}

/** Transfers in this thread: undici's pools (proxy, https), the plain-HTTP agent, fetchFile. */
export class LocalTransfers implements Transfers {
  readonly #store: ContentStore;
  readonly #retry: RetryPolicy;
  readonly #http: HttpSettings;
  readonly #pools: ConnectionPools;
  readonly #plain: Http1Agent;

  constructor(store: ContentStore, settings: TransferSettings) {
    this.#store = store;
    this.#retry = settings.retry;
    const connectTimeout = settings.connectTimeoutMs;
    const agentOptions = { connections: settings.concurrency, connectTimeout, connect: { timeout: connectTimeout } };
    const pools = new ConnectionPools({ agent: agentOptions, proxy: settings.proxy, noProxy: parseNoProxy(settings.noProxy) });
    const plain = new Http1Agent({ connectTimeoutMs: connectTimeout, maxIdlePerOrigin: settings.concurrency });
    const ownClient = settings.httpClient === 'bootsync';
    this.#pools = pools;
    this.#plain = plain;
    this.#http = {
      dispatcherFor: (url) => pools.dispatcherFor(url),
      connectionsSignal: () => pools.signal,
      plainAgent: (url) => (ownClient && url.protocol === 'http:' && !pools.isProxied(url) ? plain : undefined),
      headers: settings.headers,
      idleTimeoutMs: settings.idleTimeoutMs,
    };
  }

  async fetch(request: FileRequest, signal: AbortSignal | undefined, progress: (bytes: number) => void): Promise<FileOutcome> {
    try {
      const source = sourceFor(request.url, request.ref, this.#http);
      return await fetchFile(request, source, { store: this.#store, retry: this.#retry, signal, progress });
    } catch (err) {
      return { ok: false, request, error: err instanceof Error ? err : new Error(String(err)) };
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#pools.close(), this.#plain.close()]);
  }
}
