import type { Checksums, ItemRef } from '../streams/index.js';

/** What a blob must be before it is published: its checksums (at least one) and, when known, its size. */
export interface ExpectedContent {
  readonly checksums: Checksums;
  readonly size?: number;
  /** Named in errors and logs. */
  readonly ref?: ItemRef;
  /** Where the bytes came from (URL or path), named in errors. */
  readonly source?: string;
}

/** A complete, verified blob. */
export interface StoredBlob {
  readonly sha256: string;
  readonly size: number;
  readonly path: string;
}

export interface GcResult {
  /** Digests of the blobs deleted. */
  readonly removed: string[];
  /** Keys of the partial files deleted (`sha256-<64 hex>`, `upload-<uuid>`); only with `GcOptions.wantedPartials`. */
  readonly partials: string[];
  /** Bytes freed, blobs and partials. */
  readonly bytes: number;
}

export interface GcOptions {
  /**
   * sha256 of the files still to be downloaded. When given, gc also deletes the partial files of items that are
   * neither here nor in `live`, and those of `unaddressedPartial` (nothing can resume them); without it every
   * partial is kept. Partials being written in this process, by any store of the root, and partials of items without
   * a sha256 are always kept, so no wanted partial can be lost.
   */
  readonly wantedPartials?: ReadonlySet<string>;
}

export interface ContentStoreOptions {
  /**
   * Blobs live in `<root>/sha256/<2 hex>/<64 hex>`, partial files in `<root>/partial/`, blobs found damaged in
   * `<root>/quarantine/`.
   */
  readonly root: string;
  /**
   * fsync each blob (and its directory) before it counts as stored, so a power cut cannot publish a hole.
   * @defaultValue true
   */
  readonly fsync?: boolean;
}

/**
 * What a download needs of where its blobs go: a ContentStore, or a sink of another kind (the rack simulator's,
 * which verifies and discards the bytes).
 */
export interface BlobSink {
  has(sha256: string): Promise<boolean>;
  /** The size of the stored blob, undefined when it is not stored. */
  size(sha256: string): Promise<number | undefined>;
  partial(expected: ExpectedContent): Promise<PartialFile>;
  /** Throws InsufficientSpaceError when `bytes` would not fit. */
  ensureFreeSpace(bytes: number): Promise<void>;
}

/**
 * A partial file being written, resumable across processes. Bytes go in with `append`; `finalize` verifies
 * size and checksums, fsyncs and renames it into the store, or discards it and throws.
 */
export interface PartialFile {
  readonly key: string;
  readonly path: string;
  /** Bytes already in the partial: where a resumed download starts. */
  readonly offset: number;
  /** The ETag or Last-Modified of the response that started this partial (for `If-Range`). */
  readonly validator: string | undefined;
  /** Record the validator of the response whose bytes are being appended. */
  setValidator(validator: string | undefined): Promise<void>;
  append(chunk: Uint8Array): Promise<void>;
  /**
   * `append` for callers feeding many chunks (a network body): takes the chunk at once and returns undefined, or a
   * promise to wait for before the next chunk (the file's writes are behind). Saves a promise per chunk.
   */
  push(chunk: Uint8Array): Promise<void> | undefined;
  /** Drop the bytes written so far and start over at offset 0. */
  restart(): Promise<void>;
  finalize(): Promise<StoredBlob>;
  /** Stop writing and keep the partial for a later resume. */
  close(): Promise<void>;
  /** Stop writing and delete the partial. */
  discard(): Promise<void>;
}
