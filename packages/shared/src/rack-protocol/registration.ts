import { InvalidRackNameError, MalformedMessageError, ProtocolMismatchError } from './errors.js';
import { isRackName } from './rack-name.js';
import { protocolOf, RACK_PROTOCOL_VERSION } from './version.js';

/** What a rack posts to REGISTER_PATH, with the region's secret as its bearer token. */
export interface RegistrationRequest {
  readonly protocol: number;
  readonly name: string;
}

/**
 * What the region answers a rack it registered: its queue, how to authenticate from then on, and the live regions.
 * Readers take the fields they know and ignore others, so a later release of the same version can add some: a
 * field a reader can do without is added without raising RACK_PROTOCOL_VERSION (which would make every rack and
 * region of different releases refuse each other), as `regions` was.
 */
export interface RegistrationAnswer {
  readonly protocol: number;
  readonly name: string;
  /** The rack's BullMQ queue (rackQueueName) under the region's Redis key prefix. */
  readonly queue: string;
  readonly prefix: string;
  /** Where the region stream is, under the region's URL. */
  readonly streamPath: string;
  /** The rack's bearer token for the stream, replaced at each registration. */
  readonly token: string;
  /**
   * The base URLs of the live regions a rack may sync from with this token (each region's --advertise-url): this
   * region alone, or a cluster's. Optional on the wire: a region of an earlier release does not send it, and its
   * reader then takes the region it registered with as the only one; a rack of an earlier release ignores it.
   */
  readonly regions: readonly string[];
}

/** The body of a refused registration (HTTP 401 or 400): the region's version, a stable code and why. */
export interface RegistrationRefusal {
  readonly protocol: number;
  readonly code: string;
  readonly error: string;
}

/** The two ends of a registration, for the errors either side raises. */
export interface RegistrationParties {
  readonly rack: string;
  readonly region: string;
}

export function registrationRequest(name: string): RegistrationRequest {
  return { protocol: RACK_PROTOCOL_VERSION, name };
}

/** What the region sends; without `regions` (a region that advertises no URL) the rack keeps the one it registered with. */
export type RegistrationAnswerFields = Omit<RegistrationAnswer, 'protocol' | 'regions'> & { readonly regions?: readonly string[] };

export function registrationAnswer(fields: RegistrationAnswerFields): RegistrationAnswerFields & { readonly protocol: number } {
  return { protocol: RACK_PROTOCOL_VERSION, ...fields };
}

export function registrationRefusal(code: string, error: string): RegistrationRefusal {
  return { protocol: RACK_PROTOCOL_VERSION, code, error };
}

/**
 * The region's reading of a registration request. Throws ProtocolMismatchError when the rack speaks another
 * version (checked first: another version may name racks differently), InvalidRackNameError for a name a rack
 * may not carry.
 */
export function readRegistrationRequest(body: unknown): RegistrationRequest {
  const name = typeof body === 'object' && body !== null ? (body as { name?: unknown }).name : undefined;
  const protocol = protocolOf(body);
  if (protocol !== RACK_PROTOCOL_VERSION) {
    throw new ProtocolMismatchError({
      seenBy: 'region',
      message: 'registration request',
      rack: isRackName(name) ? name : undefined,
      region: undefined,
      rackProtocol: protocol,
      regionProtocol: RACK_PROTOCOL_VERSION,
    });
  }
  if (!isRackName(name)) throw new InvalidRackNameError(String(name));
  return { protocol, name };
}

/** The rack's reading of a 200 answer to its registration. */
export function readRegistrationAnswer(body: unknown, parties: RegistrationParties): RegistrationAnswer {
  const protocol = protocolOf(body);
  if (protocol !== RACK_PROTOCOL_VERSION) throw mismatchSeenByRack('registration answer', protocol, parties);
  const fields = body as Record<string, unknown>;
  const text = (key: keyof RegistrationAnswer): string => {
    const value = fields[key];
    if (typeof value !== 'string') throw new MalformedMessageError('registration answer', `${key} is ${JSON.stringify(value) ?? 'missing'}, not a string`);
    return value;
  };
  return {
    protocol,
    name: text('name'),
    queue: text('queue'),
    prefix: text('prefix'),
    streamPath: text('streamPath'),
    token: text('token'),
    regions: fields.regions === undefined ? [parties.region] : regionUrls(fields.regions),
  };
}

/** `regions` of an answer: absolute http(s) URLs, at least one, without their trailing slashes. */
function regionUrls(value: unknown): string[] {
  const malformed = (reason: string): MalformedMessageError => new MalformedMessageError('registration answer', `regions ${reason}`);
  if (!Array.isArray(value) || value.length === 0) throw malformed(`is ${JSON.stringify(value)}, not a list of region URLs`);
  return value.map((url: unknown) => {
    if (typeof url !== 'string' || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw malformed(`holds ${JSON.stringify(url)}, not an http(s) URL`);
    }
    return url.replace(/\/+$/, '');
  });
}

/**
 * The rack's reading of a refusal (HTTP 400): a ProtocolMismatchError when the region refused the rack's version,
 * undefined for any other refusal.
 */
export function refusedProtocol(body: unknown, parties: RegistrationParties): ProtocolMismatchError | undefined {
  const code = typeof body === 'object' && body !== null ? (body as { code?: unknown }).code : undefined;
  if (code !== 'RACK_PROTOCOL_MISMATCH') return undefined;
  return mismatchSeenByRack('registration request', protocolOf(body), parties);
}

function mismatchSeenByRack(message: string, regionProtocol: number | undefined, parties: RegistrationParties): ProtocolMismatchError {
  return new ProtocolMismatchError({ seenBy: 'rack', message, ...parties, rackProtocol: RACK_PROTOCOL_VERSION, regionProtocol });
}
