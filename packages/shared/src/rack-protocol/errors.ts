import { BootsyncError, type RackProtocolErrorCode } from '../errors/index.js';

/** A rack name BullMQ, URLs or file names would refuse, caught before it reaches any of them. */
export class InvalidRackNameError extends BootsyncError<RackProtocolErrorCode> {
  constructor(readonly rackName: string) {
    super(
      'RACK_INVALID_NAME',
      `invalid rack name ${JSON.stringify(rackName)}: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit (no ':')`,
    );
  }
}

/** Who met the other side speaking another protocol version, and what each side speaks. */
export interface ProtocolMismatch {
  readonly seenBy: 'rack' | 'region';
  /** The message that gave it away: `registration request`, `sync result`... */
  readonly message: string;
  /** The rack's name, when known. */
  readonly rack: string | undefined;
  /** The region's URL as the rack knows it (a region does not name itself). */
  readonly region: string | undefined;
  /** undefined: a bootsync from before protocol versions (version 0). */
  readonly rackProtocol: number | undefined;
  readonly regionProtocol: number | undefined;
}

const spoken = (version: number | undefined): string => (version === undefined ? 'no version (a release from before protocol versions)' : `version ${version}`);

/**
 * The rack and the region speak different versions of the region-rack protocol: each refuses the other's
 * messages rather than misread them. The side that speaks the older version is the one to upgrade.
 */
export class ProtocolMismatchError extends BootsyncError<RackProtocolErrorCode> {
  readonly seenBy: ProtocolMismatch['seenBy'];
  readonly rack: string | undefined;
  readonly region: string | undefined;
  readonly rackProtocol: number | undefined;
  readonly regionProtocol: number | undefined;

  constructor(mismatch: ProtocolMismatch) {
    const rack = mismatch.rack === undefined ? 'the rack' : `rack ${mismatch.rack}`;
    const region = mismatch.region === undefined ? 'the region' : `region ${mismatch.region}`;
    const rackIsOlder = (mismatch.rackProtocol ?? 0) < (mismatch.regionProtocol ?? 0);
    const upgrade = rackIsOlder
      ? `upgrade bootsync-rack on ${mismatch.rack ?? 'the rack'} to the region's release`
      : `upgrade bootsync-region to the rack's release (or run racks of the region's release)`;
    super(
      'RACK_PROTOCOL_MISMATCH',
      `region-rack protocol mismatch in the ${mismatch.message}: ${rack} speaks ${spoken(mismatch.rackProtocol)}, ${region} speaks ${spoken(mismatch.regionProtocol)}; ${upgrade}`,
    );
    this.seenBy = mismatch.seenBy;
    this.rack = mismatch.rack;
    this.region = mismatch.region;
    this.rackProtocol = mismatch.rackProtocol;
    this.regionProtocol = mismatch.regionProtocol;
  }
}

/** A message of the right version that does not have the shape that version gives it. */
export class MalformedMessageError extends BootsyncError<RackProtocolErrorCode> {
  constructor(
    /** `registration answer`, `sync result`... */
    readonly what: string,
    readonly reason: string,
  ) {
    super('RACK_PROTOCOL_MALFORMED', `malformed ${what}: ${reason}`);
  }
}

/** The region answered the rack's stream or registration request with an error status. */
export class RegionRequestError extends BootsyncError<RackProtocolErrorCode> {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly detail: string,
  ) {
    super(status === 401 || status === 403 ? 'RACK_REGION_REFUSED' : 'RACK_REGION_ERROR', `${url}: HTTP ${status} ${detail}`.trim());
  }
}

/** The region refused the rack's secret at registration: nothing will work until the operator fixes it. */
export class RegistrationRefusedError extends BootsyncError<RackProtocolErrorCode> {
  constructor(
    readonly regionUrl: string,
    readonly rackName: string,
    readonly secretFile: string,
  ) {
    super(
      'RACK_REGISTRATION_REFUSED',
      `region ${regionUrl} refused rack ${rackName}: the secret in ${secretFile} is not the region's (<region data dir>/secret)`,
    );
  }
}
