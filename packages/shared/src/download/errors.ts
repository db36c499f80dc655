import { BootsyncError, type DownloadErrorCode } from '../errors/index.js';
// item-ref directly: the streams index would load openpgp (~9 MB) into processes that only download.
import { formatItemRef, type ItemRef } from '../streams/item-ref.js';

function where(url: string, ref: ItemRef | undefined): string {
  return ref ? `${formatItemRef(ref)} (${url})` : url;
}

/** The server answered with a status that is not the file. 4xx is final; 5xx is retried. */
export class HttpStatusError extends BootsyncError<DownloadErrorCode> {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly ref?: ItemRef,
    /** What a 503 or 429 answer's Retry-After asked for, in ms. */
    readonly retryAfterMs?: number,
  ) {
    super('DOWNLOAD_HTTP_STATUS', `${where(url, ref)}: HTTP ${status}${retryAfterMs === undefined ? '' : ` (retry after ${retryAfterMs} ms)`}`);
  }

  /** 5xx, plus 408 and 429 which ask the client to come back later. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** Every attempt allowed by the retry policy failed; `cause` is the last failure. */
export class RetriesExhaustedError extends BootsyncError<DownloadErrorCode> {
  constructor(
    readonly url: string,
    readonly attempts: number,
    readonly elapsedMs: number,
    readonly ref: ItemRef | undefined,
    cause: unknown,
  ) {
    const last = cause instanceof Error ? cause.message : String(cause);
    super(
      'DOWNLOAD_RETRIES_EXHAUSTED',
      `${where(url, ref)}: gave up after ${attempts} attempts in ${elapsedMs} ms; last error: ${last}`,
      { cause },
    );
  }
}

/** The caller's AbortSignal fired; the partial file was kept for a later resume. */
export class DownloadAbortedError extends BootsyncError<DownloadErrorCode> {
  constructor(
    readonly url: string,
    readonly bytesKept: number,
    readonly ref?: ItemRef,
  ) {
    super('DOWNLOAD_ABORTED', `${where(url, ref)}: download cancelled, ${bytesKept} bytes kept for resume`);
  }
}

/** A URL scheme the downloader does not speak (only http, https, file and plain paths). */
export class UnsupportedSourceError extends BootsyncError<DownloadErrorCode> {
  constructor(readonly url: string) {
    super('DOWNLOAD_UNSUPPORTED_SOURCE', `unsupported source (http, https, file:// or a path): ${url}`);
  }
}

/** A local source file (file:// or a path) that does not exist or cannot be read. Final. */
export class SourceFileError extends BootsyncError<DownloadErrorCode> {
  constructor(
    readonly url: string,
    readonly ref: ItemRef | undefined,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('DOWNLOAD_SOURCE_FILE', `${where(url, ref)}: cannot read source file: ${reason}`, { cause });
  }
}

/** A redirect bootsync will not follow: a loop, more than MAX_REDIRECTS hops, or a target that is not http(s). */
export class RedirectError extends BootsyncError<DownloadErrorCode> {
  constructor(
    /** Every URL requested, the first one first. */
    readonly chain: readonly string[],
    /** Where the last answer pointed. */
    readonly target: string,
    readonly reason: string,
  ) {
    super('DOWNLOAD_ERR_REDIRECT', `${chain[0]}: redirect not followed (${reason}): ${[...chain, target].join(' -> ')}`);
  }
}

/**
 * The connections a request was using were thrown away because the HTTP client failed inside its own connection
 * handling (an exception no caller could catch); the request is retried on new connections.
 */
export class ConnectionsResetError extends BootsyncError<DownloadErrorCode> {
  constructor(cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('DOWNLOAD_ERR_CONNECTIONS_RESET', `connections reset after a fault of the HTTP client: ${reason}`, { cause });
  }
}

/** The thread downloading a file stopped (a bug, or memory exhausted); the file's partial is kept for the next try. */
export class DownloadWorkerError extends BootsyncError<DownloadErrorCode> {
  constructor(
    readonly url: string,
    readonly ref: ItemRef | undefined,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('DOWNLOAD_ERR_WORKER', `${where(url, ref)}: the download thread stopped: ${reason}`, { cause });
  }
}
