import { setTimeout as sleep } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import { backoffDelay, DEFAULT_RETRY, type Backoff } from '../download/index.js';
import type { Logger } from '../logging/index.js';
import { ProtocolMismatchError, RegionRequestError, RegistrationRefusedError } from './errors.js';
import { bearer, REGISTER_PATH } from './paths.js';
import { moveOn } from './region-failover.js';
import { RegionRoster } from './region-roster.js';
import { readRegistrationAnswer, refusedProtocol, registrationRequest, type RegistrationAnswer } from './registration.js';

export interface RegisterOptions {
  readonly regionUrl: string;
  readonly name: string;
  /** The region's secret (the contents of `<region data dir>/secret`). */
  readonly secret: string;
  /** Where the secret was read from, named when the region refuses it. */
  readonly secretFile: string;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** undici's global dispatcher unless given (many racks in one process may share one). */
  readonly dispatcher?: Dispatcher;
}

/**
 * Half a second doubling up to the downloads' 30 s, with their jitter: the racks of a region that restarts all
 * fail together, and would otherwise all come back in the same instant, again and again.
 */
const REGISTRATION_BACKOFF: Backoff = Object.freeze({ baseDelayMs: 500, maxDelayMs: DEFAULT_RETRY.maxDelayMs, jitter: DEFAULT_RETRY.jitter });

/**
 * Registers with the region, retrying while it is unreachable or failing (racks often start before their region).
 * Final, so the daemon exits non-zero: a refused secret (RegistrationRefusedError), a region of another protocol
 * version (ProtocolMismatchError), a refused name (RegionRequestError 400).
 */
export async function registerWithRegion(options: RegisterOptions): Promise<RegistrationAnswer> {
  const { regionUrl, ...rest } = options;
  return registerWithRegions(new RegionRoster([regionUrl]), rest);
}

/**
 * As registerWithRegion, with the regions a rack knows: a region that does not register the rack (unreachable,
 * failing) sends it on to the next at once (logged, rack.region.changed); the backoff applies once every region
 * failed in turn. The roster is left on the region that registered the rack.
 */
export async function registerWithRegions(roster: RegionRoster, options: Omit<RegisterOptions, 'regionUrl'>): Promise<RegistrationAnswer> {
  for (let rounds = 1; ; ) {
    try {
      const answer = await registerOnce(roster.current, options);
      roster.answered();
      return answer;
    } catch (err) {
      const final = err instanceof RegistrationRefusedError || err instanceof ProtocolMismatchError || (err instanceof RegionRequestError && err.status === 400);
      if (final || options.signal?.aborted) throw err;
      if (!moveOn(roster, err, { logger: options.logger, rack: options.name }).roundOver) continue;
      const delay = backoffDelay(REGISTRATION_BACKOFF, rounds++);
      options.logger.warn({ event: 'rack.register.retry', rack: options.name, err, ms: delay });
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : {});
    }
  }
}

async function registerOnce(regionUrl: string, options: Omit<RegisterOptions, 'regionUrl'>): Promise<RegistrationAnswer> {
  const url = new URL(REGISTER_PATH, regionUrl).toString();
  const parties = { rack: options.name, region: regionUrl };
  const response = await request(url, {
    method: 'POST',
    headers: { authorization: bearer(options.secret), 'content-type': 'application/json' },
    body: JSON.stringify(registrationRequest(options.name)),
    signal: options.signal,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  const body = await response.body.text();
  if (response.statusCode === 401 || response.statusCode === 403) {
    throw new RegistrationRefusedError(regionUrl, options.name, options.secretFile);
  }
  // A body that is not JSON is retried: a proxy's error page, a region restarting.
  if (response.statusCode === 200) return readRegistrationAnswer(JSON.parse(body) as unknown, parties);
  if (response.statusCode === 400) throw refusedProtocol(parseJson(body), parties) ?? new RegionRequestError(url, 400, body);
  throw new RegionRequestError(url, response.statusCode, body.slice(0, 200));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
