import { BootsyncError, type SimplestreamsErrorCode } from '../errors/index.js';

/** A mirror file that could not be read: HTTP status other than 2xx, a missing file, a network failure. */
export class MirrorReadError extends BootsyncError<SimplestreamsErrorCode> {
  readonly location: string;
  /** HTTP status, when the server answered. */
  readonly status?: number;
  /** True when the file does not exist (HTTP 404 or ENOENT): a caller may try another name. */
  readonly notFound: boolean;

  constructor(location: string, detail: { status?: number; notFound?: boolean; cause?: unknown }) {
    const why =
      detail.status !== undefined
        ? `HTTP ${detail.status}`
        : detail.notFound
          ? 'no such file'
          : detail.cause instanceof Error
            ? detail.cause.message
            : String(detail.cause);
    super('SS_ERR_READ', `cannot read ${location}: ${why}`, { cause: detail.cause });
    this.location = location;
    this.status = detail.status;
    this.notFound = detail.notFound ?? detail.status === 404;
  }
}

/** A mirror location bootsync cannot read from (an unsupported scheme, an empty string). */
export class MirrorLocationError extends BootsyncError<SimplestreamsErrorCode> {
  readonly location: string;

  constructor(location: string, reason: string) {
    super('SS_ERR_LOCATION', `bad mirror location ${JSON.stringify(location)}: ${reason}`);
    this.location = location;
  }
}

/** A mirror document larger than the operator allows (`--max-document-size`), refused before it is read whole. */
export class DocumentTooLargeError extends BootsyncError<SimplestreamsErrorCode> {
  readonly location: string;
  /** Its size when the server or the file system said; else the bytes read when the limit was passed. */
  readonly size: number;
  readonly sizeKnown: boolean;
  readonly limit: number;

  constructor(location: string, detail: { size: number; sizeKnown: boolean; limit: number }) {
    const size = detail.sizeKnown ? `${detail.size} bytes` : `more than ${detail.limit} bytes`;
    super(
      'SS_ERR_TOO_LARGE',
      `${location}: document is ${size}, over the limit of ${detail.limit} bytes (--max-document-size); ` +
        'refused unread. Raise the limit only if this mirror is trusted to publish documents that large',
    );
    this.location = location;
    this.size = detail.size;
    this.sizeKnown = detail.sizeKnown;
    this.limit = detail.limit;
  }
}
