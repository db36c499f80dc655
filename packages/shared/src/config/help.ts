import type { AnyOptionSpec } from './option.js';
import { envName, flagName } from './resolve.js';

/** A spec's default as `--help` and the operations doc show it (`5m`, `0.0.0.0:5240`); undefined when it has none. */
export function formatDefault(spec: AnyOptionSpec): string | undefined {
  if (spec.default === undefined) return undefined;
  // `format` takes the spec's own value type; the default is that type by construction.
  const format = (spec.format ?? String) as (value: unknown) => string;
  return format(spec.default);
}

/** A setting as a bin's `--help` lists it: `--data-dir <DIR>` (bare for booleans), then what it is, its env and default. */
export function optionHelp(key: string, spec: AnyOptionSpec): { readonly flags: string; readonly description: string } {
  const flag = `--${flagName(key)}`;
  const shown = formatDefault(spec);
  return {
    flags: spec.valueName === undefined ? flag : `${flag} <${spec.valueName}>`,
    description: `${spec.description} (env ${envName(key)}${shown === undefined ? '' : `; default ${shown}`})`,
  };
}
