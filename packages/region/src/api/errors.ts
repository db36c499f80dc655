import { BootsyncError } from '@bootsync/shared/errors';
import type { ApiErrorCode } from '../errors/index.js';
import { NotFoundError, ValidationError } from '../db/errors.js';
import { UploadChecksumError, UploadChunkRefusedError, UploadContentMismatchError } from '../uploads/errors.js';

/** MAAS form errors: `{field: [message, ...]}`, `__all__` for errors about the whole form. */
export type FieldErrors = Readonly<Record<string, readonly string[]>>;

/** An error the API answers itself; `status` is the HTTP status the MAAS client expects for it. */
export abstract class ApiError extends BootsyncError<ApiErrorCode> {
  abstract readonly status: number;
}

/** 400 with the JSON `{field: [msg]}` body MAAS forms answer. */
export class FormError extends ApiError {
  readonly status = 400;
  readonly fields: FieldErrors;

  constructor(fields: FieldErrors) {
    super('API_FORM_INVALID', Object.entries(fields).map(([k, v]) => `${k}: ${v.join(' ')}`).join('; '));
    this.fields = fields;
  }
}

/** 404 with a plain-text body like Django's `No BootSource matches the given query.` */
export class ApiNotFoundError extends ApiError {
  readonly status = 404;
  readonly resource: string;

  constructor(resource: string, message = `No ${resource} matches the given query.`) {
    super('API_NOT_FOUND', message);
    this.resource = resource;
  }
}

/** 400 for a method/op pair no handler has, with the exact text piston answers. */
export class UnrecognisedSignatureError extends ApiError {
  readonly status = 400;
  readonly method: string;
  readonly op: string | undefined;

  constructor(method: string, op: string | undefined) {
    super('API_BAD_OP', `Unrecognised signature: method=${method} op=${op ?? 'None'}`);
    this.method = method;
    this.op = op;
  }
}

/** 401: a missing, malformed or wrong API key. The message says which, never the key itself. */
export class UnauthorizedError extends ApiError {
  readonly status = 401;

  constructor(reason: string) {
    super('API_UNAUTHORIZED', reason);
  }
}

/** 403 for a user who is not an admin calling a write or import: MAAS's admin_method text. */
export class ForbiddenError extends ApiError {
  readonly status = 403;

  constructor(message = 'This method is reserved for admin users.') {
    super('API_FORBIDDEN', message);
  }
}

/** 400 with a plain-text message, for bad input that is not about one form field (a body that cannot be parsed). */
export class BadRequestError extends ApiError {
  readonly status: number;

  constructor(message: string, status = 400) {
    super('API_BAD_REQUEST', message);
    this.status = status;
  }
}

/** A refused record as MAAS's forms answer it: the field errors, and those of the whole form under `__all__`. */
export function maasFormErrors(err: ValidationError): FieldErrors {
  return err.nonField.length === 0 ? err.fields : { ...err.fields, __all__: err.nonField };
}

/** How MAAS answers an error: plain text, or the JSON field errors of a form. */
export type ErrorAnswer =
  | { readonly status: number; readonly kind: 'text'; readonly text: string }
  | { readonly status: number; readonly kind: 'json'; readonly value: FieldErrors };

/**
 * Maps what handlers throw to MAAS's answers: domain errors of the repositories, the API's own errors, and
 * fastify's 4xx (body too large, bad content type). Anything else is a bug: 500, logged by the caller.
 */
export function answerForError(err: unknown): ErrorAnswer {
  if (err instanceof FormError) return { status: 400, kind: 'json', value: err.fields };
  if (err instanceof ValidationError) return { status: 400, kind: 'json', value: maasFormErrors(err) };
  if (err instanceof NotFoundError) return { status: 404, kind: 'text', text: `No ${err.entity} matches the given query.` };
  if (err instanceof ApiError) return { status: err.status, kind: 'text', text: err.message };
  if (err instanceof UploadChunkRefusedError) return { status: err.forbidden ? 403 : 400, kind: 'text', text: err.message };
  if (err instanceof UploadChecksumError || err instanceof UploadContentMismatchError) return { status: 400, kind: 'text', text: err.message };
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, kind: 'text', text: (err as Error).message };
  }
  return { status: 500, kind: 'text', text: 'Internal server error; the region log has the details.' };
}
