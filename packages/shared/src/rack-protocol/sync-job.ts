import { MalformedMessageError, ProtocolMismatchError } from './errors.js';
import { protocolOf, RACK_PROTOCOL_VERSION } from './version.js';

/** The BullMQ job a rack runs to sync, on its own queue. */
export const SYNC_JOB = 'sync';
/** One immediate sync waits at a time per rack: the region's "sync now" and the rack's repair request join it. */
export const SYNC_NOW_ID = 'sync-now';
/**
 * How many finished sync jobs a rack's queue keeps, each way (the region reads the newest of them). Few: with
 * 1,000 racks, 50 each way held 100 MB of Redis.
 */
export const KEEP_FINISHED_JOBS = { count: 5 } as const;
/**
 * The options every opener of a rack's queue gives BullMQ (the region's queue, the rack's own for its repair
 * requests): whoever opens it last writes them into the queue's meta. Its events stream is read by the region as
 * they come, so it keeps only the last ~100 (BullMQ keeps 10,000: 1.2 MB per rack once a rack has synced for
 * twelve days at five-minute intervals, 1.2 GB for 1,000 racks).
 */
export const RACK_QUEUE_OPTIONS = { streams: { events: { maxLen: 100 } } } as const;

const SYNC_REASONS = ['schedule', 'import', 'registration', 'manual', 'repair'] as const;
/** Why a sync was queued. `repair`: by the rack itself, after a scrub withheld a damaged file. */
export type SyncReason = (typeof SYNC_REASONS)[number];

/** A sync job's data. */
export interface SyncJobData {
  readonly protocol: number;
  readonly reason: SyncReason;
}

/** A job as BullMQ's `Queue.add(name, data, opts)` takes it. */
export interface QueuedJob {
  readonly name: string;
  readonly data: SyncJobData;
  readonly opts: { readonly deduplication: { readonly id: string; readonly keepLastIfActive: true }; readonly removeOnComplete: typeof KEEP_FINISHED_JOBS; readonly removeOnFail: typeof KEEP_FINISHED_JOBS };
}

/** BullMQ refuses ':' in queue names; rack names never contain one (validateRackName). */
export function rackQueueName(rack: string): string {
  return `rack-${rack}`;
}

export function syncJobData(reason: SyncReason): SyncJobData {
  return { protocol: RACK_PROTOCOL_VERSION, reason };
}

/**
 * A sync now, joining the one already waiting if any. One under way may have read the region stream before what
 * asks for this one (an import's end): this one then runs once it ends (keepLastIfActive), never lost in it.
 */
export function syncNowJob(reason: SyncReason): QueuedJob {
  return {
    name: SYNC_JOB,
    data: syncJobData(reason),
    opts: { deduplication: { id: SYNC_NOW_ID, keepLastIfActive: true }, removeOnComplete: KEEP_FINISHED_JOBS, removeOnFail: KEEP_FINISHED_JOBS },
  };
}

/** The rack's reading of a job's data: ProtocolMismatchError when the region that queued it speaks another version. */
export function readSyncJobData(data: unknown, parties: { readonly rack: string; readonly region: string }): SyncJobData {
  const protocol = protocolOf(data);
  if (protocol !== RACK_PROTOCOL_VERSION) {
    throw new ProtocolMismatchError({ seenBy: 'rack', message: 'sync job', ...parties, rackProtocol: RACK_PROTOCOL_VERSION, regionProtocol: protocol });
  }
  const reason = (data as { reason?: unknown }).reason;
  if (!SYNC_REASONS.includes(reason as SyncReason)) throw new MalformedMessageError('sync job', `reason ${JSON.stringify(reason) ?? 'missing'}`);
  return { protocol, reason: reason as SyncReason };
}
