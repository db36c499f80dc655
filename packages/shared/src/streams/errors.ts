import { BootsyncError, type SimplestreamsErrorCode } from '../errors/index.js';
import { formatItemRef, type ItemRef } from './item-ref.js';

export { MirrorReadError } from '../source/errors.js';

/** Where in a stream a problem sits: always the file, and the item when there is one. */
function where(file: string, item?: ItemRef): string {
  return item ? `${file}: ${formatItemRef(item)}` : file;
}

/** A stream document that is not what simplestreams allows: bad JSON, a missing field, a wrong type. */
export class StreamFormatError extends BootsyncError<SimplestreamsErrorCode> {
  readonly file: string;
  readonly item?: ItemRef;
  readonly reason: string;

  constructor(file: string, reason: string, item?: ItemRef, options?: { cause?: unknown }) {
    super('SS_ERR_FORMAT', `${where(file, item)}: ${reason}`, options);
    this.file = file;
    this.item = item;
    this.reason = reason;
  }
}

/** A `path` that could leave the mirror root (absolute, with a scheme, `..`, a backslash or NUL). */
export class UnsafePathError extends BootsyncError<SimplestreamsErrorCode> {
  readonly file: string;
  readonly item?: ItemRef;
  readonly path: string;
  readonly reason: string;

  constructor(file: string, path: string, reason: string, item?: ItemRef) {
    super('SS_ERR_UNSAFE_PATH', `${where(file, item)}: unsafe path ${JSON.stringify(path)} (${reason})`);
    this.file = file;
    this.item = item;
    this.path = path;
    this.reason = reason;
  }
}

/** A products file whose `content_id` is not the one its index entry announced. */
export class ContentIdMismatchError extends BootsyncError<SimplestreamsErrorCode> {
  readonly file: string;
  readonly expected: string;
  readonly actual: string;

  constructor(file: string, expected: string, actual: string) {
    super('SS_ERR_CONTENT_ID', `${file}: content_id is ${JSON.stringify(actual)}, the index says ${JSON.stringify(expected)}`);
    this.file = file;
    this.expected = expected;
    this.actual = actual;
  }
}

/** A filter expression that is not `key=value`, `key!=value`, `key~regex` or `key!~regex`. */
export class ItemFilterError extends BootsyncError<SimplestreamsErrorCode> {
  readonly filter: string;

  constructor(filter: string, reason: string) {
    super('SS_ERR_FILTER', `bad filter ${JSON.stringify(filter)}: ${reason}`);
    this.filter = filter;
  }
}
