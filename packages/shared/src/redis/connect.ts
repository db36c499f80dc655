import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError, hostPortListOption, stringOption, type HostPort } from '../config/index.js';

/** Redis Sentinel: the Sentinels to ask, and the name of the master they monitor. */
export interface RedisSentinel {
  readonly sentinels: readonly HostPort[];
  readonly name: string;
}

/** The settings both daemons add beside `--redis-url` (flags, BOOTSYNC_* variables and YAML keys, as every setting). */
export const redisSentinelOptions = {
  redisSentinels: hostPortListOption({
    description: "Redis Sentinels (HOST:PORT,...) asked for the master's address instead of --redis-url's host and port; --redis-url then gives the user, password and database",
    default: undefined,
  }),
  redisSentinelName: stringOption({ description: 'the name of the master the Sentinels monitor (with --redis-sentinels)', default: undefined, valueName: 'NAME' }),
};

/** The Sentinel settings resolved: none, or both; one without the other is a ConfigError naming the missing one. */
export function redisSentinel(values: { readonly redisSentinels: readonly HostPort[] | undefined; readonly redisSentinelName: string | undefined }): RedisSentinel | undefined {
  const { redisSentinels: sentinels, redisSentinelName: name } = values;
  if (sentinels === undefined && name === undefined) return undefined;
  // The missing one resolved to its default, none: that is what the error says it got.
  if (sentinels === undefined) throw new ConfigError('--redis-sentinels', { kind: 'default' }, '(none)', 'is required with --redis-sentinel-name');
  if (name === undefined) throw new ConfigError('--redis-sentinel-name', { kind: 'default' }, '(none)', 'is required with --redis-sentinels');
  return { sentinels, name };
}

/**
 * A connection to the daemons' Redis, with the caller's options (BullMQ's blocking connections need
 * `maxRetriesPerRequest: null`...). With `sentinel`, ioredis asks the Sentinels for the master at each connection
 * and reconnects to the new one after a failover; BullMQ's duplicates of the connection keep that. The one place
 * the daemons make a Redis connection.
 */
export function connectRedis(url: string, sentinel: RedisSentinel | undefined, options: RedisOptions = {}): Redis {
  if (!sentinel) return new Redis(url, options);
  return new Redis(url, { ...options, sentinels: sentinel.sentinels.map(({ host, port }) => ({ host, port })), name: sentinel.name });
}
