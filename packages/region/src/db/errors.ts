import { BootsyncError } from '@bootsync/shared/errors';
import type { DatabaseErrorCode } from '../errors/index.js';

/** A record looked up by id (or key) does not exist. `entity` is the MAAS model name, e.g. `BootSource`. */
export class NotFoundError extends BootsyncError<DatabaseErrorCode> {
  constructor(
    readonly entity: string,
    readonly id: number | string,
  ) {
    super('DB_NOT_FOUND', `No ${entity} matches the given query (id ${id}).`);
  }
}

/** What is wrong with each field of a record: `{ field: [messages] }`. */
export type FieldErrors = Record<string, string[]>;

/**
 * Input a repository refused: what is wrong with single fields (`fields`), and with the record as a whole
 * (`nonField`: two fields that exclude each other, a duplicate). The API answers both as MAAS's form errors.
 */
export class ValidationError extends BootsyncError<DatabaseErrorCode> {
  constructor(
    readonly entity: string,
    readonly fields: FieldErrors,
    readonly nonField: readonly string[] = [],
  ) {
    const problems = [...nonField, ...Object.entries(fields).map(([field, messages]) => `${field}: ${messages.join(' ')}`)];
    super('DB_VALIDATION_FAILED', `invalid ${entity}: ${problems.join('; ')}`);
  }
}

/** Collects field errors while validating, then throws once with all of them. */
export class FieldErrorCollector {
  readonly #fields: FieldErrors = {};
  readonly #nonField: string[] = [];

  add(field: string, message: string): void {
    (this.#fields[field] ??= []).push(message);
  }

  /** An error of the record as a whole rather than of one field. */
  addNonField(message: string): void {
    this.#nonField.push(message);
  }

  throwIfAny(entity: string): void {
    if (Object.keys(this.#fields).length > 0 || this.#nonField.length > 0) throw new ValidationError(entity, this.#fields, this.#nonField);
  }
}

/** The error's driver code: better-sqlite3's `SQLITE_CONSTRAINT_*`, or PostgreSQL's SQLSTATE from `pg`. */
function driverCode(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code;
}

/** A UNIQUE or PRIMARY KEY constraint refused the write, on either dialect (PostgreSQL 23505). */
export function isUniqueViolation(err: unknown): boolean {
  const code = driverCode(err);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** A FOREIGN KEY constraint refused the write, on either dialect (PostgreSQL 23503). */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = driverCode(err);
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}
