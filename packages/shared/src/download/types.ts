import type { Checksums, ItemRef } from '../streams/index.js';

/** One file to fetch into the store. */
export interface FileRequest {
  /** `http://`, `https://`, `file://`, or a plain local path. */
  readonly url: string;
  readonly size: number;
  /** At least one of md5, sha256, sha512; the blob is stored under the sha256 computed on the way. */
  readonly checksums: Checksums;
  /** Named in errors and logs. */
  readonly ref?: ItemRef;
}

export type FileOutcome =
  | {
      readonly ok: true;
      readonly request: FileRequest;
      readonly sha256: string;
      /** Size of the stored blob. */
      readonly bytes: number;
      /** Bytes already on disk before this call (a resumed partial, or the whole blob when already stored). */
      readonly resumedFrom: number;
      /** Bytes transferred by this call. */
      readonly fetched: number;
    }
  | {
      readonly ok: false;
      readonly request: FileRequest;
      readonly error: Error;
    };

/** Emitted whenever bytes land on disk; callers that persist progress throttle it themselves. */
export interface DownloadProgress {
  readonly request: FileRequest;
  /** Bytes of this file on disk (resumed bytes included). */
  readonly fileBytes: number;
  readonly fileSize: number;
  /** Bytes on disk across every file of the `download()` call. */
  readonly totalBytes: number;
  readonly totalSize: number;
}

export interface DownloadCallOptions {
  /** Cancels every file of the call within a second; partial files are kept for a later resume. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /**
   * Called as each file is stored or has failed, before the call returns: a caller can act on a file (place it,
   * report it) while the others still download. Files with the same checksum settle once, with the first request.
   */
  readonly onFile?: (outcome: FileOutcome) => void;
}
