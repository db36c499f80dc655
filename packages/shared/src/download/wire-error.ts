import { BlobNotFoundError, ChecksumMismatchError, InsufficientSpaceError, InvalidDigestError, MissingChecksumError, SizeMismatchError } from '../store/index.js';
import {
  ConnectionsResetError,
  DownloadAbortedError,
  HttpStatusError,
  RedirectError,
  RetriesExhaustedError,
  SourceFileError,
  UnsupportedSourceError,
} from './errors.js';
import { HttpProtocolError } from './http1/index.js';

/** An error as it crosses from a worker thread: its class by name, its message, stack, fields and cause. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly cause?: WireError;
}

/**
 * The error classes a download can end with; across threads each comes back as an instance of its class (callers
 * test `instanceof ChecksumMismatchError` and read `.status`, `.ref`), not as a plain clone of an Error.
 */
const CLASSES: ReadonlyMap<string, { readonly prototype: Error }> = new Map(
  [
    BlobNotFoundError,
    ChecksumMismatchError,
    ConnectionsResetError,
    DownloadAbortedError,
    HttpProtocolError,
    HttpStatusError,
    InsufficientSpaceError,
    InvalidDigestError,
    MissingChecksumError,
    RedirectError,
    RetriesExhaustedError,
    SizeMismatchError,
    SourceFileError,
    UnsupportedSourceError,
  ].map((c) => [c.name, c]),
);

export function toWire(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(err)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    if (isCloneable(value)) fields[key] = value;
  }
  return {
    name: err.name,
    message: err.message,
    ...(err.stack !== undefined ? { stack: err.stack } : {}),
    fields,
    ...(err.cause !== undefined ? { cause: toWire(err.cause) } : {}),
  };
}

export function fromWire(wire: WireError): Error {
  const known = CLASSES.get(wire.name) ?? namedErrorClass(wire.name);
  const err = Object.create(known.prototype) as Error;
  Object.defineProperty(err, 'message', { value: wire.message, writable: true, configurable: true });
  if (wire.stack !== undefined) Object.defineProperty(err, 'stack', { value: wire.stack, writable: true, configurable: true });
  Object.assign(err, wire.fields, { name: wire.name });
  if (wire.cause) Object.defineProperty(err, 'cause', { value: fromWire(wire.cause), writable: true, configurable: true });
  return err;
}

function isCloneable(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value) || (typeof value === 'object' && !(value instanceof Error) && isPlain(value));
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null || Array.isArray(value)) && Object.values(value).every((v) => typeof v !== 'function');
}

const named = new Map<string, { readonly prototype: Error }>();

/**
 * A class named as the error was (AssertionError, TypeError...), for errors of other code: what logs show as its
 * type (pino reads the constructor's name) stays what it was in the thread that threw it.
 */
function namedErrorClass(name: string): { readonly prototype: Error } {
  let known = named.get(name);
  if (!known) {
    known = { [name]: class extends Error {} }[name] ?? Error;
    named.set(name, known);
  }
  return known;
}
