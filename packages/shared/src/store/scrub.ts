import { createHash } from 'node:crypto';
import type { ContentStore } from './content-store.js';
import { BlobNotFoundError } from './errors.js';
import { ReadPacer } from './read-pacer.js';

/**
 * The rate a scrub reads at unless told otherwise. sha256 runs at about 2 GB/s on one core here, so hashing at
 * 64 MiB/s takes a few percent of a core, and the disk is left to serving; 1 TB takes about 4.5 hours.
 */
export const DEFAULT_SCRUB_BYTES_PER_SECOND = 64 * 2 ** 20;

/** A blob whose bytes no longer hash to its name, or that can no longer be read. */
export interface ScrubMismatch {
  /** The blob's name: what its bytes hashed to when they were stored. */
  readonly sha256: string;
  readonly path: string;
  /** What the bytes hash to now; undefined when they could not be read (`error`). */
  readonly actual: string | undefined;
  /** Bytes read before the end or the error. */
  readonly bytes: number;
  readonly error?: Error;
}

export interface ScrubProgress {
  /** Blobs hashed to the end so far (matching or not). */
  readonly blobs: number;
  /** Bytes read and hashed so far. */
  readonly bytes: number;
  /** Bytes read since the previous report. */
  readonly delta: number;
}

export interface ScrubOptions {
  /** The average read rate to hold to. @defaultValue DEFAULT_SCRUB_BYTES_PER_SECOND */
  readonly bytesPerSecond?: number;
  /** Stops the scrub between two chunks; `scrubStore` then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** After every chunk read (up to 1 MiB). */
  readonly onProgress?: (progress: ScrubProgress) => void;
  /** Each mismatch as it is found; the scrub waits for it before reading on (so the caller can move the blob aside). */
  readonly onMismatch?: (mismatch: ScrubMismatch) => void | Promise<void>;
  /** The blobs to check; every blob stored when the scrub starts by default. */
  readonly blobs?: readonly string[];
}

export interface ScrubResult {
  /** Blobs hashed to the end (a blob removed meanwhile is not counted). */
  readonly blobs: number;
  readonly bytes: number;
  readonly mismatches: readonly ScrubMismatch[];
  readonly ms: number;
}

/**
 * Re-hashes a store's blobs at a bounded read rate and reports those whose bytes changed since they were verified
 * (bit rot, a truncated or overwritten file). It changes nothing itself: what to do with a mismatch is the caller's.
 */
export async function scrubStore(store: ContentStore, options: ScrubOptions = {}): Promise<ScrubResult> {
  const started = performance.now();
  const { signal, onProgress, onMismatch } = options;
  const pacer = new ReadPacer(options.bytesPerSecond ?? DEFAULT_SCRUB_BYTES_PER_SECOND);
  const mismatches: ScrubMismatch[] = [];
  let blobs = 0;
  let bytes = 0;
  signal?.throwIfAborted();
  for (const sha256 of options.blobs ?? (await store.list())) {
    signal?.throwIfAborted();
    const hash = createHash('sha256');
    let read = 0;
    let error: Error | undefined;
    try {
      for await (const chunk of await store.open(sha256)) {
        const buf = chunk as Buffer;
        hash.update(buf);
        read += buf.length;
        bytes += buf.length;
        onProgress?.({ blobs, bytes, delta: buf.length });
        await pacer.pace(buf.length, signal);
      }
    } catch (err) {
      signal?.throwIfAborted();
      if (err instanceof BlobNotFoundError) continue; // removed since the listing (gc, a repair): nothing to check
      error = err instanceof Error ? err : new Error(String(err));
    }
    blobs += 1;
    const actual = error ? undefined : hash.digest('hex');
    if (actual === sha256) continue;
    const mismatch: ScrubMismatch = { sha256, path: store.pathOf(sha256), actual, bytes: read, ...(error ? { error } : {}) };
    mismatches.push(mismatch);
    await onMismatch?.(mismatch);
  }
  return { blobs, bytes, mismatches, ms: Math.round(performance.now() - started) };
}
