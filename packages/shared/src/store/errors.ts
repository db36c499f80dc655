import { BootsyncError, type StoreErrorCode } from '../errors/index.js';
// item-ref directly: the streams index would load openpgp (~9 MB) into processes that only download.
import { formatItemRef, type ItemRef } from '../streams/item-ref.js';

/** What a file was supposed to be, by the algorithm that caught the difference. */
export type ChecksumAlgorithm = 'md5' | 'sha256' | 'sha512';

function itemLabel(ref: ItemRef | undefined): string {
  return ref ? formatItemRef(ref) : 'unnamed item';
}

/** The bytes received do not hash to what the stream promised; the partial was discarded. */
export class ChecksumMismatchError extends BootsyncError<StoreErrorCode> {
  constructor(
    readonly ref: ItemRef | undefined,
    readonly algorithm: ChecksumAlgorithm,
    readonly expected: string,
    readonly actual: string,
    readonly source?: string,
  ) {
    super(
      'STORE_CHECKSUM_MISMATCH',
      `${itemLabel(ref)}: ${algorithm} mismatch${source ? ` for ${source}` : ''}: expected ${expected}, got ${actual}`,
    );
  }
}

/** The bytes received are more or fewer than the stream promised; the partial was discarded. */
export class SizeMismatchError extends BootsyncError<StoreErrorCode> {
  constructor(
    readonly ref: ItemRef | undefined,
    readonly expected: number,
    readonly actual: number,
    readonly source?: string,
  ) {
    super(
      'STORE_SIZE_MISMATCH',
      `${itemLabel(ref)}: size mismatch${source ? ` for ${source}` : ''}: expected ${expected} bytes, got ${actual}`,
    );
  }
}

/**
 * The store's file system lacks room: raised before a download starts (`needed` bytes, nothing written), or when a
 * write fails with ENOSPC midway, naming the item (`needed` is then what was left to write, when its size is known;
 * the bytes already written stay in the partial for a resume).
 */
export class InsufficientSpaceError extends BootsyncError<StoreErrorCode> {
  constructor(
    readonly path: string,
    readonly needed: number | undefined,
    readonly available: number,
    readonly ref?: ItemRef,
    options?: { cause?: unknown },
  ) {
    const room = needed === undefined ? `${available} bytes available` : `${needed} bytes needed, ${available} available`;
    super(
      'STORE_INSUFFICIENT_SPACE',
      ref ? `${itemLabel(ref)}: disk full while writing ${path}: ${room}` : `not enough free space in ${path}: ${room}`,
      options,
    );
  }
}

/** A digest that is not 64 lowercase hex characters: refused before it can become a path. */
export class InvalidDigestError extends BootsyncError<StoreErrorCode> {
  constructor(readonly value: string) {
    super('STORE_INVALID_DIGEST', `not a sha256 digest (64 lowercase hex characters): ${JSON.stringify(value)}`);
  }
}

export class BlobNotFoundError extends BootsyncError<StoreErrorCode> {
  constructor(
    readonly sha256: string,
    readonly path: string,
  ) {
    super('STORE_BLOB_NOT_FOUND', `blob ${sha256} is not in the store (${path})`);
  }
}

/** An item that carries no checksum at all cannot be stored: nothing would prove its bytes. */
export class MissingChecksumError extends BootsyncError<StoreErrorCode> {
  constructor(readonly ref: ItemRef | undefined) {
    super('STORE_MISSING_CHECKSUM', `${itemLabel(ref)}: no md5, sha256 or sha512 to verify it against`);
  }
}
