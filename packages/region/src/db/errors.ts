import { BootsyncError } from '@bootsync/shared/errors';

/** A record looked up by id (or key) does not exist. `entity` is the MAAS model name, e.g. `BootSource`. */
export class NotFoundError extends BootsyncError {
  constructor(
    readonly entity: string,
    readonly id: number | string,
  ) {
    super('NOT_FOUND', `No ${entity} matches the given query (id ${id}).`);
  }
}

/** Field errors as MAAS forms report them: `{ field: [messages] }`, `__all__` for errors of the whole form. */
export type FieldErrors = Record<string, string[]>;

/** Input a repository refused; `fields` is what the API answers as a 400 body. */
export class ValidationError extends BootsyncError {
  constructor(
    readonly entity: string,
    readonly fields: FieldErrors,
  ) {
    super('VALIDATION_FAILED', `invalid ${entity}: ${JSON.stringify(fields)}`);
  }
}

/** Collects field errors while validating, then throws once with all of them. */
export class FieldErrorCollector {
  readonly #errors: FieldErrors = {};

  add(field: string, message: string): void {
    (this.#errors[field] ??= []).push(message);
  }

  throwIfAny(entity: string): void {
    if (Object.keys(this.#errors).length > 0) throw new ValidationError(entity, this.#errors);
  }
}
