import { BootsyncError, type SelectErrorCode } from '../errors/index.js';

/** A retention count that would keep no image at all (or is not a whole number). */
export class InvalidRetentionError extends BootsyncError<SelectErrorCode> {
  readonly retention: number;

  constructor(retention: number) {
    super('SELECT_INVALID_RETENTION', `retention must be a whole number of sets >= 1, got ${retention}`);
    this.retention = retention;
  }
}

/**
 * A selection that matches nothing the source offers. `field` says which part of the selection is at fault, as
 * MAAS's BootSourceSelectionForm keys it (`os` for the os/release pair), so the API can answer `{field: [message]}`.
 */
export class NoAvailableImagesError extends BootsyncError<SelectErrorCode> {
  readonly field: 'os' | 'arches' | 'subarches' | 'labels';
  readonly os: string;
  readonly release: string;
  /** The selected values the source does not offer (empty for the os/release case). */
  readonly missing: readonly string[];

  constructor(args: { field: NoAvailableImagesError['field']; os: string; release: string; missing?: readonly string[] }) {
    const missing = args.missing ?? [];
    super(
      'SELECT_NO_AVAILABLE_IMAGES',
      args.field === 'os'
        ? `OS ${args.os} with release ${args.release} has no available images for download`
        : // MAAS prints the Python list it was given; bootsync lists only the values that are missing.
          `No available images to download for [${missing.map((m) => `'${m}'`).join(', ')}]`,
    );
    this.field = args.field;
    this.os = args.os;
    this.release = args.release;
    this.missing = missing;
  }
}
