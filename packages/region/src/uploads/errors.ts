import { BootsyncError } from '@bootsync/shared/errors';
import type { UploadErrorCode } from '../errors/index.js';

/** A chunk of an upload refused before anything was kept of it; `message` is MAAS's text for it. */
export class UploadChunkRefusedError extends BootsyncError<UploadErrorCode> {
  constructor(
    message: string,
    /** MAAS answers 403 for an upload to an image that is not an uploaded one, 400 otherwise. */
    readonly forbidden = false,
  ) {
    super('UPLOAD_CHUNK_REFUSED', message);
  }
}

/**
 * The uploaded bytes add up to the announced size but not to the announced sha256: the partial is dropped and
 * nothing is published; the upload starts again from byte 0.
 */
export class UploadChecksumError extends BootsyncError<UploadErrorCode> {
  constructor(
    readonly image: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super('UPLOAD_SHA256_MISMATCH', `Saved content does not match given SHA256 value: expected ${expected}, got ${actual} (${image}); nothing was published, upload it again.`);
  }
}

/** An upload whose content came in the create request differs from the sha256 or size given beside it. */
export class UploadContentMismatchError extends BootsyncError<UploadErrorCode> {
  constructor(
    readonly field: 'sha256' | 'size',
    readonly expected: string,
    readonly actual: string,
  ) {
    super('UPLOAD_CONTENT_MISMATCH', `The content does not match the given ${field}: expected ${expected}, got ${actual}; nothing was published.`);
  }
}
