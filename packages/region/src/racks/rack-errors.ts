import { BootsyncError } from '@bootsync/shared/errors';

/** A rack asked to register under a name BullMQ, URLs or file names would refuse. */
export class InvalidRackNameError extends BootsyncError {
  constructor(readonly rackName: string) {
    super('RACK_INVALID_NAME', `invalid rack name ${JSON.stringify(rackName)}: use 1-63 letters, digits, '.', '_' or '-' (no ':')`);
  }
}

/** `--sync-interval` that is not `300`, `300s`, `5m` or `1h`. */
export class InvalidSyncIntervalError extends BootsyncError {
  constructor(readonly value: string) {
    super('RACK_INVALID_SYNC_INTERVAL', `--sync-interval=${JSON.stringify(value)}: expected seconds (300, 300s), minutes (5m) or hours (1h)`);
  }
}
