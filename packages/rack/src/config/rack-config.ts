import { hostname } from 'node:os';
import { RackConfigError } from '../errors/index.js';
import { validateRackName } from './rack-name.js';

/** The settings `bootsync-rack` accepts, by flag name; each also reads env `BOOTSYNC_<NAME>` (dashes → underscores). */
export const RACK_SETTINGS = ['region-url', 'secret-file', 'name', 'data-dir', 'listen', 'redis-url', 'snapshot-grace'] as const;
export type RackSetting = (typeof RACK_SETTINGS)[number];

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface RackConfig {
  /** The region's base URL, e.g. `http://10.0.0.2:5240`. */
  readonly regionUrl: string;
  /** A file holding the region's shared secret (the region's `<data dir>/secret`). */
  readonly secretFile: string;
  /** @defaultValue the host name */
  readonly name: string;
  /** @defaultValue `/var/lib/bootsync/rack` */
  readonly dataDir: string;
  /** @defaultValue `0.0.0.0:5248` */
  readonly listen: ListenAddress;
  /** @defaultValue `redis://127.0.0.1:6379` */
  readonly redisUrl: string;
  /** How long a replaced snapshot stays on disk, so a machine mid-boot is not cut off. @defaultValue 10 minutes */
  readonly snapshotGraceMs: number;
}

export const RACK_DEFAULTS = Object.freeze({
  dataDir: '/var/lib/bootsync/rack',
  listen: '0.0.0.0:5248',
  redisUrl: 'redis://127.0.0.1:6379',
  snapshotGrace: '10m',
});

export type RackConfigInput = Partial<Record<RackSetting, string>>;

/** Flags win over `BOOTSYNC_*` environment variables, which win over the defaults. */
export function resolveRackConfig(flags: RackConfigInput, env: NodeJS.ProcessEnv = {}): RackConfig {
  const pick = (setting: RackSetting): { value: string | undefined; from: string } => {
    const envName = `BOOTSYNC_${setting.toUpperCase().replace(/-/g, '_')}`;
    if (flags[setting] !== undefined) return { value: flags[setting], from: `--${setting}` };
    return { value: env[envName], from: envName };
  };
  const required = (setting: RackSetting): string => {
    const { value } = pick(setting);
    if (value === undefined || value === '') throw new RackConfigError(`--${setting}`, '', 'is required');
    return value;
  };
  const regionUrl = required('region-url');
  checkHttpUrl('--region-url', regionUrl);
  const listen = pick('listen');
  const grace = pick('snapshot-grace');
  return {
    regionUrl: regionUrl.replace(/\/+$/, ''),
    secretFile: required('secret-file'),
    name: validateRackName(pick('name').value ?? hostname().split('.')[0] ?? ''),
    dataDir: pick('data-dir').value ?? RACK_DEFAULTS.dataDir,
    listen: parseListen(listen.value ?? RACK_DEFAULTS.listen, listen.from),
    redisUrl: pick('redis-url').value ?? RACK_DEFAULTS.redisUrl,
    snapshotGraceMs: parseDuration(grace.value ?? RACK_DEFAULTS.snapshotGrace, grace.from) * 1000,
  };
}

/** `HOST:PORT`, `[v6]:PORT` or `:PORT` (all interfaces). */
export function parseListen(value: string, setting = '--listen'): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new RackConfigError(setting, value, 'expected HOST:PORT');
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/** Seconds from `300`, `300s`, `5m` or `1h`. */
export function parseDuration(value: string, setting: string): number {
  const match = /^(\d+)\s*([smh]?)$/.exec(value.trim());
  if (!match) throw new RackConfigError(setting, value, 'expected a duration such as 300, 300s, 5m or 1h');
  const unit = match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1;
  return Number(match[1]) * unit;
}

function checkHttpUrl(setting: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RackConfigError(setting, value, 'is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RackConfigError(setting, value, 'must be http(s)');
}
