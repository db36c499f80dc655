import { availableParallelism } from 'node:os';
import type { BlobSink } from '../store/index.js';

/**
 * How long to wait before another attempt: exponential from `baseDelayMs`, capped at `maxDelayMs`, less a random
 * share (`jitter`) so that many clients that failed together (racks after a region restart) do not retry together.
 * Every retry of bootsync waits this way: downloads, source reads, rack registration (`backoffDelay`, retry.ts).
 */
export interface Backoff {
  /** @defaultValue 1000 */
  readonly baseDelayMs: number;
  /** @defaultValue 30000 */
  readonly maxDelayMs: number;
  /**
   * Fraction of each delay drawn at random (0 = none, 1 = anywhere between 0 and the delay).
   * @defaultValue 0.5
   */
  readonly jitter: number;
}

/** How a file is retried after a network error or a 5xx answer. */
export interface RetryPolicy extends Backoff {
  /**
   * Attempts in a row that make no progress before giving up; an attempt that stored new bytes resets the count.
   * @defaultValue 6
   */
  readonly attempts: number;
  /**
   * Time allowed, from the first failure of such a streak, before no further attempt starts.
   * @defaultValue 300000 (5 minutes)
   */
  readonly budgetMs: number;
}

export interface DownloaderOptions {
  /**
   * Where verified blobs go: a ContentStore, or another BlobSink (the rack simulator's, which drops the bytes),
   * which is written in the caller's thread whatever `threads` says.
   */
  readonly store: BlobSink;
  /**
   * Files fetched at once, across all files of one `download()` call; also the connections per origin.
   * @defaultValue 4
   */
  readonly concurrency?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** @defaultValue 10000 */
  readonly connectTimeoutMs?: number;
  /**
   * Longest wait for response headers or for the next body bytes before the attempt counts as failed.
   * @defaultValue 30000
   */
  readonly idleTimeoutMs?: number;
  /** HTTP(S) proxy URL for http(s) sources (undici ProxyAgent). No proxy when absent. */
  readonly proxy?: string;
  /**
   * Hosts reached directly despite `proxy`, as in `no_proxy`: a comma-separated string or a list; `host`,
   * `.domain` or `domain` (suffix match), `host:port`, `*` for all.
   */
  readonly noProxy?: string | readonly string[];
  /** Sent with every request, e.g. `authorization` for a rack pulling from its region. */
  readonly headers?: Readonly<Record<string, string>>;
  /** @defaultValue `bootsync/0.1` */
  readonly userAgent?: string;
  /**
   * Worker threads the files are downloaded on (receiving, hashing and writing off the caller's event loop); 0
   * downloads in the caller's thread.
   * @defaultValue DOWNLOADER_DEFAULTS.threads: the cores, at most 2 and at most `concurrency`
   */
  readonly threads?: number;
  /**
   * The HTTP client of plain-http downloads reached without a proxy: bootsync's own (1 MiB socket reads, about half
   * the CPU per GB) or undici's, which https and proxied downloads always use; `undici` is the fallback should a
   * server not get on with bootsync's.
   * @defaultValue 'bootsync'
   */
  readonly httpClient?: HttpClientChoice;
  /**
   * A 503 or 429 answer with Retry-After is the server asking this client to wait its turn (the region's limit of
   * concurrent rack transfers): wait that long, spread by jitter, as often as asked, without counting a failure.
   * Off by default: a mirror that keeps answering 503 fails the file as the retry policy says.
   * @defaultValue false
   */
  readonly waitWhileBusy?: boolean;
}

export const HTTP_CLIENTS = ['bootsync', 'undici'] as const;
export type HttpClientChoice = (typeof HTTP_CLIENTS)[number];

export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({
  attempts: 6,
  budgetMs: 300_000,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  jitter: 0.5,
});

export const DOWNLOADER_DEFAULTS = Object.freeze({
  /**
   * Each thread holds a heap and its blocks (15-30 MB measured): the region importing with 2 measured 199-223 MB
   * against a budget of 250, so more are for callers that ask (the download benchmark's --threads).
   */
  threads: Math.min(availableParallelism(), 2),
  concurrency: 4,
  retry: DEFAULT_RETRY,
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  userAgent: 'bootsync/0.1',
});
