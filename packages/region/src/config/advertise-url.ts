import type { HostPort } from '@bootsync/shared/config';

/** Addresses that mean "every interface": no rack can reach a region by them. */
const UNSPECIFIED = new Set(['0.0.0.0', '::', '[::]']);

/**
 * How racks (and a cluster's peers) reach this region: `--advertise-url` when given (its trailing slashes dropped),
 * else `http://HOST:PORT` of the address the region listens on, the real port when `--listen` asked for port 0,
 * with this machine's host name for an unspecified HOST (0.0.0.0 or ::), which no rack could dial. Pure.
 */
export function advertisedUrl(given: string | undefined, listen: HostPort, boundPort: number, hostName: string): string {
  if (given !== undefined) return given.replace(/\/+$/, '');
  const host = UNSPECIFIED.has(listen.host) ? hostName : listen.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
}
