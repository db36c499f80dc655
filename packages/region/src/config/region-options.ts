import { validate as validateCron } from 'node-cron';
import {
  DEFAULT_REDIS_URL,
  byteSizeOption,
  durationOption,
  hostPortOption,
  integerOption,
  stringOption,
  urlOption,
  type ConfigValues,
} from '@bootsync/shared/config';
import { downloadClientOption } from '@bootsync/shared/download';
import { accelRedirectOption } from '@bootsync/shared/http';
import { redisSentinelOptions } from '@bootsync/shared/redis';
import { UBUNTU_IMAGES_KEYRING } from '@bootsync/shared/signing';
import { DEFAULT_MAX_DOCUMENT_SIZE } from '@bootsync/shared/source';
import { DEFAULT_IMPORT_SCHEDULE } from '../import/schedule.js';

export const DEFAULT_SOURCE_URL = 'http://images.maas.io/ephemeral-v3/stable/';
export const DEFAULT_KEYRING = UBUNTU_IMAGES_KEYRING;
/** Sized in bench/README.md ("Issue 18"). */
const DEFAULT_MAX_RACK_TRANSFERS = 64;

/**
 * The region daemon's settings. Each is a flag (`--data-dir`), an env variable (`BOOTSYNC_DATA_DIR`) and a key of
 * the `--config` YAML file (`data-dir:` or `data_dir:`). Add a setting here and it exists in all three.
 */
export const regionOptions = {
  dataDir: stringOption({ description: 'where the database, the secret and the store live', default: '/var/lib/bootsync/region', valueName: 'DIR' }),
  databaseUrl: urlOption({
    description: 'PostgreSQL database holding all region state (postgres://USER:PASSWORD@HOST:5432/DB); without it, SQLite in --data-dir',
    default: undefined,
    protocols: ['postgres:', 'postgresql:'],
  }),
  listen: hostPortOption({ description: 'address of the HTTP API, health and metrics', default: { host: '0.0.0.0', port: 5240 } }),
  advertiseUrl: urlOption({
    description: "how racks (and a cluster's peers) reach this region, e.g. http://10.0.0.2:5240 (default: http://HOST:PORT of --listen, with this machine's host name for 0.0.0.0 or ::)",
    default: undefined,
    protocols: ['http:', 'https:'],
  }),
  redisUrl: urlOption({ description: 'Redis shared with the racks', default: DEFAULT_REDIS_URL, protocols: ['redis:', 'rediss:'] }),
  ...redisSentinelOptions,
  importSchedule: stringOption({
    description: 'when to import, as a node-cron expression; when given it wins over boot_images_import_interval_minutes',
    default: undefined,
    valueName: 'CRON',
    validate(expr) {
      if (!validateCron(expr)) throw new Error(`expected a cron expression, e.g. "${DEFAULT_IMPORT_SCHEDULE}"`);
    },
  }),
  retention: integerOption({ description: 'complete sets kept per image', default: 1, min: 1 }),
  defaultSourceUrl: urlOption({
    description: 'boot source created on first start when there is none',
    default: DEFAULT_SOURCE_URL,
    protocols: ['http:', 'https:', 'file:'],
  }),
  defaultKeyring: stringOption({
    description: "keyring file of that default source; where Ubuntu's keyring file is absent, bootsync's copy of that key verifies",
    default: DEFAULT_KEYRING,
    valueName: 'FILE',
  }),
  maxDocumentSize: byteSizeOption({
    description: 'largest index or products document read from a mirror; a larger one is refused unread (SS_ERR_TOO_LARGE)',
    default: DEFAULT_MAX_DOCUMENT_SIZE,
    min: 1024,
  }),
  downloadClient: downloadClientOption,
  config: stringOption({ description: 'YAML file with these same settings', default: undefined, valueName: 'FILE' }),
  /** Milliseconds. */
  syncInterval: durationOption({
    description: 'how often each rack pulls from the region: seconds, or with a unit (300, 300s, 5m)',
    default: 5 * 60_000,
    minMs: 1_000,
  }),
  /** Milliseconds; 0 disables the scrub. */
  scrubInterval: durationOption({
    description: 'how often to re-hash the whole store, rate-limited, to find damaged blobs (0 disables)',
    default: 24 * 3_600_000,
  }),
  accelRedirect: accelRedirectOption('the store'),
  maxRackTransfers: integerOption({
    description: 'blob transfers to racks sent at once; beyond them a rack waits in line up to 2 s, then is answered 503 + Retry-After and waits its turn (0: no limit; not applied with --accel-redirect)',
    default: DEFAULT_MAX_RACK_TRANSFERS,
    min: 0,
  }),
};

export type RegionOptions = ConfigValues<typeof regionOptions>;
