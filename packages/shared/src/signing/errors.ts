import { BootsyncError, type SignatureErrorCode } from '../errors/index.js';

/** The document carries no signature: not clearsigned, or no detached `.gpg` beside it. */
export class SignatureMissingError extends BootsyncError<SignatureErrorCode> {
  readonly file: string;

  constructor(file: string, reason: string) {
    super('SIG_ERR_MISSING', `${file}: no signature (${reason})`);
    this.file = file;
  }
}

/** A signature by a key of the keyring that does not match the signed content. */
export class BadSignatureError extends BootsyncError<SignatureErrorCode> {
  readonly file: string;
  /** Issuer key ids (16 upper-case hex digits) of the signatures seen. */
  readonly keyIds: readonly string[];

  constructor(file: string, keyIds: readonly string[], reason: string, options?: { cause?: unknown }) {
    super('SIG_ERR_BAD', `${file}: bad signature by ${keyIds.join(', ') || 'no key id'} (${reason})`, options);
    this.file = file;
    this.keyIds = keyIds;
  }
}

/** Every signature was made by a key the keyring does not hold. */
export class UnknownKeyError extends BootsyncError<SignatureErrorCode> {
  readonly file: string;
  readonly keyIds: readonly string[];

  constructor(file: string, keyIds: readonly string[]) {
    super('SIG_ERR_UNKNOWN_KEY', `${file}: signed by ${keyIds.join(', ') || 'no key id'}, which is not in the keyring`);
    this.file = file;
    this.keyIds = keyIds;
  }
}

/** A keyring that cannot be read or holds no OpenPGP key. */
export class KeyringError extends BootsyncError<SignatureErrorCode> {
  readonly file?: string;

  constructor(file: string | undefined, reason: string, options?: { cause?: unknown }) {
    super('SIG_ERR_KEYRING', `keyring ${file ?? '(given as data)'}: ${reason}`, options);
    this.file = file;
  }
}
