import { ConfigError, type ValueOrigin } from './config-error.js';
import type { ConfigFile } from './config-file.js';
import type { ConfigValues, OptionSpecs } from './option.js';

/** `data-dir`, `data_dir`, `dataDir` and `DATA_DIR` all name the spec key `dataDir`. */
export function specKey(name: string): string {
  const lower = /[-_]/.test(name) ? name.toLowerCase() : name;
  return lower.replace(/[-_]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `dataDir` → `data-dir` (the flag, without its dashes). */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** What `flagName` makes of a key, as a type: `FlagName<'dataDir'>` is `'data-dir'`. */
export type FlagName<K extends string> = K extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `-${Lowercase<Head>}`}${FlagName<Tail>}`
  : K;

/** `dataDir` → `BOOTSYNC_DATA_DIR`. */
export function envName(key: string, prefix = 'BOOTSYNC_'): string {
  return prefix + flagName(key).replace(/-/g, '_').toUpperCase();
}

export interface ConfigInputs {
  /** Parsed command-line flags, keyed by spec key or flag name; `undefined` means not given. */
  readonly flags?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly file?: ConfigFile;
  readonly envPrefix?: string;
}

export interface ResolvedConfig<S extends OptionSpecs> {
  readonly values: ConfigValues<S>;
  readonly origins: { readonly [K in keyof S]: ValueOrigin };
}

function shown(raw: unknown): string {
  return typeof raw === 'string' ? JSON.stringify(raw) : JSON.stringify(raw) ?? String(raw);
}

/**
 * Pure resolution: for each spec, the first of flag > env `BOOTSYNC_*` > file > default, parsed by the spec.
 * Unknown keys in the file are errors (a typo must not silently fall back to a default); unknown env
 * variables are not (the environment holds BOOTSYNC_* variables meant for others).
 */
export function resolveConfig<S extends OptionSpecs>(specs: S, inputs: ConfigInputs): ResolvedConfig<S> {
  const flags = new Map(Object.entries(inputs.flags ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [specKey(k), v]));
  const file = inputs.file;
  if (file) {
    for (const k of Object.keys(file.values)) {
      if (!Object.hasOwn(specs, specKey(k))) {
        throw new ConfigError(k, { kind: 'file', file: file.path, line: file.lines[k] }, shown(file.values[k]), 'unknown option');
      }
    }
  }
  const fileValues = new Map(Object.entries(file?.values ?? {}).map(([k, v]) => [specKey(k), { raw: v, line: file?.lines[k] }]));

  const values: Record<string, unknown> = {};
  const origins: Record<string, ValueOrigin> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const env = envName(key, inputs.envPrefix);
    const envRaw = inputs.env?.[env];
    const fromFile = fileValues.get(key);
    let raw: unknown;
    let origin: ValueOrigin;
    if (flags.has(key)) {
      raw = flags.get(key);
      origin = { kind: 'flag', name: `--${flagName(key)}` };
    } else if (envRaw !== undefined && envRaw !== '') {
      raw = envRaw;
      origin = { kind: 'env', name: env };
    } else if (fromFile && file) {
      raw = fromFile.raw;
      origin = fromFile.line === undefined ? { kind: 'file', file: file.path } : { kind: 'file', file: file.path, line: fromFile.line };
    } else {
      values[key] = spec.default;
      origins[key] = { kind: 'default' };
      continue;
    }
    try {
      values[key] = spec.parse(raw as never);
    } catch (err) {
      throw new ConfigError(`--${flagName(key)}`, origin, shown(raw), err instanceof Error ? err.message : String(err));
    }
    origins[key] = origin;
  }
  return { values: values as ConfigValues<S>, origins: origins as ResolvedConfig<S>['origins'] };
}
