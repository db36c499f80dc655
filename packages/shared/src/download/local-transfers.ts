import type { BlobSink } from '../store/index.js';
import { fetchFile } from './fetch-file.js';
import { Http1Agent } from './http1/index.js';
import { DOWNLOADER_DEFAULTS, type DownloaderOptions, type HttpClientChoice, type RetryPolicy } from './options.js';
import { bypassesProxy, parseNoProxy } from './proxy.js';
import { sourceFor, type HttpSettings, type PayloadClient } from './sources.js';
import type { FileOutcome, FileRequest } from './types.js';
import type { UndiciPayloads } from './undici-payloads.js';

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
  /** DownloaderOptions.waitWhileBusy. */
  readonly waitWhileBusy: boolean;
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
    waitWhileBusy: options.waitWhileBusy ?? false,
  };
}

/** Fetches one file at a time per call into a store; what a Downloader runs, in its own thread or in a worker. */
export interface Transfers {
  /** Never throws: a failure is the outcome. `progress` gets the bytes of the file on disk. */
  fetch(request: FileRequest, signal: AbortSignal | undefined, progress: (bytes: number) => void): Promise<FileOutcome>;
  close(): Promise<void>;
}

/** Transfers in this thread: bootsync's HTTP/1.1 agent for plain http, undici (loaded on first need) for the rest. */
export class LocalTransfers implements Transfers {
  readonly #store: BlobSink;
  readonly #settings: TransferSettings;
  readonly #http: HttpSettings;
  readonly #plain: PayloadClient & { close(): Promise<void> };
  #undici: Promise<UndiciPayloads> | undefined;

  constructor(store: BlobSink, settings: TransferSettings) {
    this.#store = store;
    this.#settings = settings;
    const agent = new Http1Agent({ connectTimeoutMs: settings.connectTimeoutMs, maxIdlePerOrigin: settings.concurrency });
    const idleTimeoutMs = settings.idleTimeoutMs;
    this.#plain = {
      get: async (url, headers, signal) => {
        const res = await agent.get(url, headers, { signal, idleTimeoutMs });
        return { statusCode: res.statusCode, headers: res.headers, body: res };
      },
      close: () => agent.close(),
    };
    const noProxy = parseNoProxy(settings.noProxy);
    const proxied = (url: URL): boolean => settings.proxy !== undefined && !bypassesProxy(url, noProxy);
    const ownClient = settings.httpClient === 'bootsync';
    this.#http = {
      headers: settings.headers,
      clientFor: async (url) => (ownClient && url.protocol === 'http:' && !proxied(url) ? this.#plain : this.#undiciClient()),
    };
  }

  async fetch(request: FileRequest, signal: AbortSignal | undefined, progress: (bytes: number) => void): Promise<FileOutcome> {
    try {
      const source = sourceFor(request.url, request.ref, this.#http);
      const { retry, waitWhileBusy } = this.#settings;
      return await fetchFile(request, source, { store: this.#store, retry, waitWhileBusy, signal, progress });
    } catch (err) {
      return { ok: false, request, error: err instanceof Error ? err : new Error(String(err)) };
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#plain.close(), this.#undici?.then((u) => u.close())]);
  }

  #undiciClient(): Promise<UndiciPayloads> {
    const s = this.#settings;
    this.#undici ??= import('./undici-payloads.js').then(
      ({ UndiciPayloads }) =>
        new UndiciPayloads({ connections: s.concurrency, connectTimeoutMs: s.connectTimeoutMs, idleTimeoutMs: s.idleTimeoutMs, proxy: s.proxy, noProxy: s.noProxy }),
    );
    return this.#undici;
  }
}
