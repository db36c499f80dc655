/**
 * Root of every error bootsync raises on purpose. `code` is stable (logs, metrics and API answers key on it);
 * subclasses carry the typed fields an operator needs to act (the file, the item, the expected value...).
 */
export class BootsyncError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
