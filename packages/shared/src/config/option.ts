/**
 * Typed option specs: one per setting, shared by the flag, the env variable and the config-file key.
 * `parse` receives a string (flag, env) or any YAML scalar (file) and throws an Error whose message is the reason;
 * the resolver wraps it into a ConfigError that names the key and where the value came from.
 */
export interface OptionSpec<T> {
  readonly description: string;
  readonly default: T;
  /** Placeholder shown in --help (`DIR`); absent for booleans, which are bare flags. */
  readonly valueName?: string;
  readonly parse: (raw: unknown) => T;
  /** How --help shows the default; `String` when absent. */
  format?(value: T): string;
  /** The flag may be given several times: `parse` then receives every value given, as a list. */
  readonly repeatable?: boolean;
}

// `unknown` would make specs of a concrete type unassignable (parse is contravariant); `never` accepts them all.
export type AnyOptionSpec = OptionSpec<unknown> | OptionSpec<never>;

/** Specs keyed by camelCase name: `dataDir` is `--data-dir`, `BOOTSYNC_DATA_DIR` and `data-dir:`/`data_dir:`. */
export type OptionSpecs = Readonly<Record<string, AnyOptionSpec>>;

export type ConfigValues<S extends OptionSpecs> = {
  -readonly [K in keyof S]: S[K] extends OptionSpec<infer T> ? T : never;
};

interface Common<T> {
  readonly description: string;
  readonly default: T;
  readonly valueName?: string;
}

function scalarText(raw: unknown): string {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw new Error(`expected a single value, got ${raw === null ? 'null' : Array.isArray(raw) ? 'a list' : typeof raw}`);
}

export function stringOption<T extends string | undefined>(o: Common<T> & { readonly validate?: (v: string) => void }): OptionSpec<string | T> {
  return {
    ...o,
    valueName: o.valueName ?? 'VALUE',
    parse(raw) {
      const text = scalarText(raw);
      if (text === '') throw new Error('expected a non-empty value');
      o.validate?.(text);
      return text;
    },
  };
}

export function integerOption(o: Common<number> & { readonly min?: number; readonly max?: number }): OptionSpec<number> {
  const min = o.min ?? Number.MIN_SAFE_INTEGER;
  const max = o.max ?? Number.MAX_SAFE_INTEGER;
  return {
    ...o,
    valueName: o.valueName ?? 'N',
    parse(raw) {
      const text = scalarText(raw);
      const n = /^[-+]?\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw new Error(`expected a whole number${o.min !== undefined ? ` >= ${min}` : ''}${o.max !== undefined ? ` <= ${max}` : ''}`);
      }
      return n;
    },
  };
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

export function booleanOption(o: Omit<Common<boolean>, 'valueName'>): OptionSpec<boolean> {
  return {
    ...o,
    parse(raw) {
      const text = scalarText(raw).toLowerCase();
      if (TRUE.has(text)) return true;
      if (FALSE.has(text)) return false;
      throw new Error('expected true or false');
    },
  };
}

/** The Redis region and racks share, unless told otherwise: the default of both daemons' `--redis-url`. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function urlOption<T extends string | undefined>(o: Common<T> & { readonly protocols: readonly string[] }): OptionSpec<string | T> {
  return stringOption({ ...o, valueName: o.valueName ?? 'URL', validate: (text) => checkUrl(text, o.protocols) });
}

function checkUrl(text: string, protocols: readonly string[]): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('expected an absolute URL');
  }
  if (!protocols.includes(url.protocol)) throw new Error(`expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
}

/**
 * One URL or several, in order: a flag given several times, and in env or the file a comma-separated list (a YAML
 * list too). Each is checked as `urlOption` checks one.
 */
export function urlListOption(o: Common<undefined> & { readonly protocols: readonly string[] }): OptionSpec<readonly string[] | undefined> {
  return {
    ...o,
    valueName: o.valueName ?? 'URL',
    repeatable: true,
    parse(raw) {
      const given = Array.isArray(raw) ? (raw as unknown[]) : [raw];
      const urls = given.flatMap((value) => scalarText(value).split(',')).map((text) => text.trim()).filter((text) => text !== '');
      if (urls.length === 0) throw new Error('expected one URL or more, separated by commas');
      for (const url of urls) {
        try {
          checkUrl(url, o.protocols);
        } catch (err) {
          throw new Error(urls.length > 1 ? `${url}: ${(err as Error).message}` : (err as Error).message);
        }
      }
      return urls;
    },
  };
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

/**
 * A duration, in milliseconds: `300` (seconds), `300s`, `5m` or `1h`, as an operator writes it (tests use seconds).
 * `minMs` refuses what would make no sense (a zero sync interval); `--help` and the docs show the default back in
 * the largest whole unit (`5m`).
 */
export function durationOption(o: Common<number> & { readonly minMs?: number }): OptionSpec<number> {
  const min = o.minMs ?? 0;
  return {
    ...o,
    valueName: o.valueName ?? 'DURATION',
    parse(raw) {
      const m = /^(\d+)\s*([smh]?)$/.exec(scalarText(raw));
      const ms = m ? Number(m[1]) * UNIT_MS[(m[2] || 's') as keyof typeof UNIT_MS] : NaN;
      if (!Number.isSafeInteger(ms) || ms < min) {
        throw new Error(`expected a duration such as 300, 300s, 5m or 1h${min > 0 ? `, at least ${formatDuration(min)}` : ''}`);
      }
      return ms;
    },
    format: formatDuration,
  };
}

function formatDuration(ms: number): string {
  if (ms >= UNIT_MS.h && ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  if (ms >= UNIT_MS.m && ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`;
  return ms % UNIT_MS.s === 0 ? `${ms / UNIT_MS.s}s` : `${ms}ms`;
}

const UNIT_BYTES = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as const;

/**
 * A size in bytes: `67108864`, `64MiB`, `64M`, `512KiB`, `1GiB` (binary units whatever the spelling, as the
 * operator means them); `--help` and the docs show the default back in the largest whole unit (`64MiB`).
 */
export function byteSizeOption(o: Common<number> & { readonly min?: number }): OptionSpec<number> {
  const min = o.min ?? 0;
  return {
    ...o,
    valueName: o.valueName ?? 'SIZE',
    parse(raw) {
      const m = /^(\d+)\s*(?:([kmg])(?:i?b)?|b)?$/i.exec(scalarText(raw));
      const bytes = m ? Number(m[1]) * UNIT_BYTES[(m[2] ?? '').toLowerCase() as keyof typeof UNIT_BYTES] : NaN;
      if (!Number.isSafeInteger(bytes) || bytes < min) {
        throw new Error(`expected a size such as 67108864, 512KiB, 64MiB or 1GiB${min > 0 ? `, at least ${formatBytes(min)}` : ''}`);
      }
      return bytes;
    },
    format: formatBytes,
  };
}

export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', UNIT_BYTES.g], ['MiB', UNIT_BYTES.m], ['KiB', UNIT_BYTES.k]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** `HOST:PORT`, `[v6]:PORT`; port 0 asks the OS for a free port (tests). */
export function parseHostPort(text: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error('expected HOST:PORT, e.g. 0.0.0.0:5240 or [::1]:5240');
  return { host: (m[1] ?? m[2]) as string, port };
}

const formatHostPort = (v: HostPort): string => (v.host.includes(':') ? `[${v.host}]:${v.port}` : `${v.host}:${v.port}`);

export function hostPortOption(o: Common<HostPort>): OptionSpec<HostPort> {
  return { ...o, valueName: o.valueName ?? 'HOST:PORT', parse: (raw) => parseHostPort(scalarText(raw)), format: formatHostPort };
}

/** `HOST:PORT,HOST:PORT...` (a YAML list too), in order; at least one. */
export function hostPortListOption(o: Common<undefined>): OptionSpec<readonly HostPort[] | undefined> {
  return {
    ...o,
    valueName: o.valueName ?? 'HOST:PORT,...',
    parse(raw) {
      const given = Array.isArray(raw) ? (raw as unknown[]) : [raw];
      const texts = given.flatMap((value) => scalarText(value).split(',')).map((text) => text.trim()).filter((text) => text !== '');
      if (texts.length === 0) throw new Error('expected HOST:PORT, or several separated by commas');
      return texts.map((text) => {
        try {
          return parseHostPort(text);
        } catch (err) {
          throw new Error(`${text}: ${(err as Error).message}`);
        }
      });
    },
  };
}
