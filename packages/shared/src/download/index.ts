export { Downloader } from './downloader.js';
export {
  ConnectionsResetError,
  DownloadAbortedError,
  DownloadWorkerError,
  HttpStatusError,
  RedirectError,
  RetriesExhaustedError,
  SourceFileError,
  UnsupportedSourceError,
} from './errors.js';
export { downloadClientOption, isHttpClient } from './client-option.js';
export { DEFAULT_RETRY, DOWNLOADER_DEFAULTS, HTTP_CLIENTS, type Backoff, type DownloaderOptions, type HttpClientChoice, type RetryPolicy } from './options.js';
export type { DownloadCallOptions, DownloadProgress, FileOutcome, FileRequest } from './types.js';
// The store raises these during a download; re-exported so callers of the downloader need one import.
export { ChecksumMismatchError, InsufficientSpaceError, SizeMismatchError } from '../store/index.js';
export { bypassesProxy, parseNoProxy } from './proxy.js';
export { backoffDelay, isRetryable, pause, RetryStreak, turnDelay } from './retry.js';
export { retryAfterMs } from './sources.js';
export { getFollowingRedirects, MAX_REDIRECTS, type FollowedResponse, type GetOptions } from './redirects.js';
export { containDependencyFaults, isHttpClientFault } from './dependency-faults.js';
