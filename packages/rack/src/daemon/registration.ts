import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { backoffDelay, DEFAULT_RETRY, type Backoff } from '@bootsync/shared/download';
import type { Logger } from '@bootsync/shared/logging';
import { RegionRequestError, RegistrationRefusedError } from '../errors/index.js';

export const REGISTER_PATH = '/MAAS/racks/register';

/** What the region answers a registered rack: its queue and how to authenticate from then on. */
export interface Registration {
  readonly name: string;
  readonly queue: string;
  readonly prefix: string;
  readonly streamPath: string;
  readonly token: string;
}

export interface RegisterOptions {
  readonly regionUrl: string;
  readonly name: string;
  readonly secret: string;
  readonly secretFile: string;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

/**
 * Half a second doubling up to the downloads' 30 s, with their jitter: the racks of a region that restarts all
 * fail together, and would otherwise all come back in the same instant, again and again.
 */
const REGISTRATION_BACKOFF: Backoff = Object.freeze({ baseDelayMs: 500, maxDelayMs: DEFAULT_RETRY.maxDelayMs, jitter: DEFAULT_RETRY.jitter });

/**
 * Registers with the region, retrying while it is unreachable or failing (racks often start before their region).
 * A refused secret is final: RegistrationRefusedError, so the daemon exits non-zero.
 */
export async function registerWithRegion(options: RegisterOptions): Promise<Registration> {
  const url = new URL(REGISTER_PATH, options.regionUrl).toString();
  for (let failures = 1; ; failures++) {
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: options.name }),
        signal: options.signal,
      });
      const body = await response.body.text();
      if (response.statusCode === 401 || response.statusCode === 403) {
        throw new RegistrationRefusedError(options.regionUrl, options.name, options.secretFile);
      }
      if (response.statusCode === 400) throw new RegionRequestError(url, 400, body);
      if (response.statusCode !== 200) throw new RegionRequestError(url, response.statusCode, body.slice(0, 200));
      return JSON.parse(body) as Registration;
    } catch (err) {
      const final = err instanceof RegistrationRefusedError || (err instanceof RegionRequestError && err.status === 400);
      if (final || options.signal?.aborted) throw err;
      const delay = backoffDelay(REGISTRATION_BACKOFF, failures);
      options.logger.warn({ event: 'rack.register.retry', rack: options.name, err, ms: delay });
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : {});
    }
  }
}
