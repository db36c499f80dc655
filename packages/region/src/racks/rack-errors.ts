import { BootsyncError } from '@bootsync/shared/errors';

/** A rack asked to register under a name BullMQ, URLs or file names would refuse. */
export class InvalidRackNameError extends BootsyncError {
  constructor(readonly rackName: string) {
    super('RACK_INVALID_NAME', `invalid rack name ${JSON.stringify(rackName)}: use 1-63 letters, digits, '.', '_' or '-' (no ':')`);
  }
}
