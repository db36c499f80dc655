/**
 * The region-rack protocol, the one contract between the two daemons (deployed, and so upgraded, apart):
 *
 * 1. Registration: the rack POSTs `{ protocol, name }` to REGISTER_PATH with the region's secret as bearer token;
 *    the region answers `{ protocol, name, queue, prefix, streamPath, token, regions }`, or 401/400 with
 *    `{ protocol, code, error }`. `regions` (the live regions' URLs) came later within version 1: optional.
 * 2. The region stream (simplestreams under `streamPath`), read with the rack's token.
 * 3. Sync jobs on the rack's BullMQ queue: data `{ protocol, reason }`; progress, result and failure (the job's
 *    failed reason, JSON) each carry the rack's `protocol` too.
 *
 * Every message names RACK_PROTOCOL_VERSION and every reader checks it: a rack and a region of different
 * versions refuse each other with ProtocolMismatchError (RACK_PROTOCOL_MISMATCH), saying what each speaks and
 * which to upgrade. The rack's side (registerWithRegion, RegionStreamClient, runSyncJob) takes everything it
 * needs as arguments, so many racks can run in one process on it.
 */
export { RACK_PROTOCOL_VERSION, protocolOf } from './version.js';
export {
  InvalidRackNameError,
  MalformedMessageError,
  ProtocolMismatchError,
  RegionRequestError,
  RegistrationRefusedError,
  type ProtocolMismatch,
} from './errors.js';
export { isRackName, validateRackName } from './rack-name.js';
export { REGISTER_PATH, STREAM_INDEX_PATH, STREAM_PATH, bearer, bearerToken } from './paths.js';
export {
  readRegistrationAnswer,
  readRegistrationRequest,
  refusedProtocol,
  registrationAnswer,
  registrationRefusal,
  registrationRequest,
  type RegistrationAnswer,
  type RegistrationAnswerFields,
  type RegistrationParties,
  type RegistrationRefusal,
  type RegistrationRequest,
} from './registration.js';
export {
  KEEP_FINISHED_JOBS,
  RACK_QUEUE_OPTIONS,
  SYNC_JOB,
  SYNC_NOW_ID,
  rackQueueName,
  readSyncJobData,
  syncJobData,
  syncNowJob,
  type QueuedJob,
  type SyncJobData,
  type SyncReason,
} from './sync-job.js';
export {
  failureOf,
  failureReason,
  progressMessage,
  readFailure,
  readProgress,
  readResult,
  resultMessage,
  type HeldImage,
  type RackFailure,
  type RackFailureMessage,
  type SyncProgress,
  type SyncProgressMessage,
  type SyncResult,
  type SyncResultMessage,
} from './sync-messages.js';
export { runSyncJob, SyncJobFailedError, type SyncJob, type SyncJobContext } from './sync-job-runner.js';
export { registerWithRegion, registerWithRegions, type RegisterOptions } from './registration-client.js';
export { RegionRoster, type RegionMove } from './region-roster.js';
export { busyFor, isRegionFailure, moveOn } from './region-failover.js';
export { RegionStreamClient, type RegionStreamClientOptions, type RegionStreamState } from './stream-client.js';
