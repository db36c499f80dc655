import { hostname } from 'node:os';
import {
  DEFAULT_REDIS_URL,
  durationOption,
  flagName,
  hostPortOption,
  loadConfig,
  resolveConfig,
  stringOption,
  urlListOption,
  urlOption,
  type ConfigFile,
  type ConfigValues,
  type FlagName,
  type HostPort,
} from '@bootsync/shared/config';
import { downloadClientOption, isHttpClient, type HttpClientChoice } from '@bootsync/shared/download';
import { accelRedirectOption } from '@bootsync/shared/http';
import { redisSentinel, redisSentinelOptions, type RedisSentinel } from '@bootsync/shared/redis';
import { validateRackName } from '@bootsync/shared/rack-protocol';
import { RackConfigError } from '../errors/index.js';

export type ListenAddress = HostPort;

export interface RackConfig {
  /**
   * The regions' base URLs, e.g. `http://10.0.0.2:5240`, in the order the rack tries them (without trailing slashes,
   * each once); registration adds the live regions it names.
   */
  readonly regionUrls: readonly string[];
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
  /** Through Redis Sentinel (--redis-sentinels): the Sentinels name the master, `redisUrl` gives its credentials. */
  readonly redisSentinel?: RedisSentinel;
  /** How long a replaced snapshot stays on disk, so a machine mid-boot is not cut off. @defaultValue 10 minutes */
  readonly snapshotGraceMs: number;
  /** How often replaced snapshots and blobs nothing wants any more are removed. @defaultValue 1 minute */
  readonly pruneIntervalMs: number;
  /** How often every cached blob is re-hashed (rate-limited); 0 never. @defaultValue 24 hours */
  readonly scrubIntervalMs: number;
  /** The HTTP client of its downloads from the region (plain http). @defaultValue 'bootsync' */
  readonly downloadClient: HttpClientChoice;
  /** Behind nginx: `/images/` answers `X-Accel-Redirect: <prefix><snapshot>/<path>` and nginx sends the file. */
  readonly accelRedirect?: string;
}

/**
 * The rack daemon's settings, as the region's: each is a flag (`--data-dir`), an env variable (`BOOTSYNC_DATA_DIR`)
 * and a key of the `--config` YAML file (`data-dir:` or `data_dir:`); flags > env > file > defaults.
 */
export const rackOptions = {
  regionUrl: urlListOption({
    description: "the region's base URL, e.g. http://10.0.0.2:5240; several regions: the flag again, or URLs separated by commas, tried in turn",
    default: undefined,
    protocols: ['http:', 'https:'],
  }),
  secretFile: stringOption({ description: "file holding the region's secret (<region data dir>/secret)", default: undefined, valueName: 'FILE' }),
  name: stringOption({
    description: 'rack name: letters, digits, . _ - (default: the host name)',
    default: undefined,
    valueName: 'NAME',
    validate: (value) => void validateRackName(value),
  }),
  dataDir: stringOption({ description: 'snapshots and cache', default: '/var/lib/bootsync/rack', valueName: 'DIR' }),
  listen: hostPortOption({ description: 'HTTP address images are served on', default: { host: '0.0.0.0', port: 5248 } }),
  redisUrl: urlOption({ description: 'Redis shared with the region', default: DEFAULT_REDIS_URL, protocols: ['redis:', 'rediss:'] }),
  ...redisSentinelOptions,
  snapshotGrace: durationOption({ description: 'how long a replaced snapshot stays (300, 300s, 10m, 1h)', default: 10 * 60_000 }),
  pruneInterval: durationOption({ description: 'how often replaced snapshots and unwanted blobs are removed', default: 60_000, minMs: 1_000 }),
  scrubInterval: durationOption({ description: 'how often every cached blob is re-hashed, at 64 MiB/s at most (0: never)', default: 24 * 3_600_000 }),
  downloadClient: downloadClientOption,
  accelRedirect: accelRedirectOption('the data dir'),
  config: stringOption({ description: 'YAML file with these same settings', default: undefined, valueName: 'FILE' }),
};

/** The settings `bootsync-rack` accepts, by flag name; each also reads env `BOOTSYNC_<NAME>` (dashes → underscores). */
export type RackSetting = FlagName<keyof typeof rackOptions>;
/** Flags as the bin passes them: `--region-url` may be given several times. */
export type RackConfigInput = Partial<Record<Exclude<RackSetting, 'region-url'>, string>> & { readonly 'region-url'?: string | readonly string[] };

/** Pure: flags win over `BOOTSYNC_*` environment variables, which win over the YAML file, then the defaults. */
export function resolveRackConfig(flags: RackConfigInput, env: NodeJS.ProcessEnv = {}, file?: ConfigFile): RackConfig {
  return finish(resolveConfig(rackOptions, { flags, env, ...(file ? { file } : {}) }).values);
}

/** As `resolveRackConfig`, reading the `--config` (or `BOOTSYNC_CONFIG`) file first; what the bin calls. */
export async function loadRackConfig(flags: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): Promise<RackConfig> {
  return finish((await loadConfig(rackOptions, { flags, env })).values);
}

function finish(values: ConfigValues<typeof rackOptions>): RackConfig {
  const required = <T>(key: 'regionUrl' | 'secretFile', value: T | undefined): T => {
    if (value === undefined) throw new RackConfigError(`--${flagName(key)}`, '', 'is required (a flag, env BOOTSYNC_* or a key of --config FILE)');
    return value;
  };
  const sentinel = redisSentinel(values);
  return {
    regionUrls: [...new Set(required('regionUrl', values.regionUrl).map((url) => url.replace(/\/+$/, '')))],
    secretFile: required('secretFile', values.secretFile),
    name: validateRackName(values.name ?? hostname().split('.')[0] ?? ''),
    dataDir: values.dataDir,
    listen: values.listen,
    redisUrl: values.redisUrl,
    ...(sentinel ? { redisSentinel: sentinel } : {}),
    snapshotGraceMs: values.snapshotGrace,
    pruneIntervalMs: values.pruneInterval,
    scrubIntervalMs: values.scrubInterval,
    downloadClient: isHttpClient(values.downloadClient) ? values.downloadClient : 'bootsync',
    ...(values.accelRedirect !== undefined ? { accelRedirect: values.accelRedirect } : {}),
  };
}
