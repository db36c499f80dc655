import { BootsyncError, type ConfigErrorCode } from '../errors/index.js';

/** Where a setting's value came from, to name it in errors and in the start-up log. */
export type ValueOrigin =
  | { readonly kind: 'flag'; readonly name: string }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'file'; readonly file: string; readonly line?: number }
  | { readonly kind: 'default' };

export function describeOrigin(o: ValueOrigin): string {
  switch (o.kind) {
    case 'flag':
      return `flag ${o.name}`;
    case 'env':
      return `env ${o.name}`;
    case 'file':
      return o.line === undefined ? o.file : `${o.file}:${o.line}`;
    case 'default':
      return 'default';
  }
}

/** A setting whose value is invalid or unknown; names the flag, where the value came from, the value and why. */
export class ConfigError extends BootsyncError<ConfigErrorCode> {
  constructor(
    /** The flag name, e.g. `--retention`. */
    readonly key: string,
    readonly origin: ValueOrigin,
    readonly value: string,
    readonly reason: string,
  ) {
    super('CONFIG_INVALID', `${key}: ${reason} (got ${value} from ${describeOrigin(origin)})`);
  }
}

/** The configuration file cannot be read or is not a YAML mapping. */
export class ConfigFileError extends BootsyncError<ConfigErrorCode> {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('CONFIG_FILE_INVALID', `${line === undefined ? file : `${file}:${line}`}: ${reason}`, options);
  }
}
