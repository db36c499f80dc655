/**
 * How the daemons reach Redis: every connection they make goes through `connectRedis`, to the server of
 * `--redis-url`, or through Redis Sentinel (`--redis-sentinels`, `--redis-sentinel-name`) to the master its
 * Sentinels name at each (re)connection.
 */
export { connectRedis, redisSentinel, redisSentinelOptions, type RedisSentinel } from './connect.js';
