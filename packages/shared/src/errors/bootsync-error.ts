/**
 * Root of every error bootsync raises on purpose. `code` is stable (logs, metrics and API answers key on it) and one
 * of its package's codes (`SharedErrorCode`, `RegionErrorCode`, `RackErrorCode`, `CliErrorCode`): a subclass names
 * the union of its area, so a code outside it does not compile. Subclasses carry the typed fields an operator needs
 * to act (the file, the item, the expected value...).
 */
export class BootsyncError<C extends string = string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
