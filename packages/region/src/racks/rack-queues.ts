import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '@bootsync/shared/logging';
import {
  KEEP_FINISHED_JOBS,
  RACK_QUEUE_OPTIONS,
  rackQueueName,
  SYNC_JOB,
  syncJobData,
  syncNowJob,
  type SyncReason,
} from '@bootsync/shared/rack-protocol';
import { RackEventReader, type RackQueueEventHandlers } from './rack-events.js';

export const RACK_SCHEDULER_ID = 'rack-sync';
export type { RackQueueEventHandlers } from './rack-events.js';

export type FinishedSync =
  | { readonly ok: true; readonly result: unknown; readonly finishedOn: number }
  | { readonly ok: false; readonly reason: string; readonly finishedOn: number };

/**
 * One queue and one job scheduler per rack, under the region's prefix, all on one connection; their events read
 * by one RackEventReader. The scheduler creates the next job only when the previous one starts, so a rack that is
 * away finds at most one waiting scheduled job (plus one immediate).
 */
export class RackQueues {
  readonly #queues = new Map<string, Queue>();
  readonly #events: RackEventReader;

  constructor(
    private readonly options: {
      /** Duplicated for the event reader, which blocks on a connection of its own. */
      readonly connection: Redis;
      readonly prefix: string;
      readonly intervalMs: number;
      readonly handlers: RackQueueEventHandlers;
      readonly logger: Logger;
    },
  ) {
    this.#events = new RackEventReader(options.connection.duplicate(), options.handlers, options.logger);
  }

  /** Idempotent: called at start-up, at registration and whenever Redis is ready again. */
  async upsertScheduler(rack: string): Promise<void> {
    const queue = this.#open(rack);
    // Read from before anything is queued: the events of the rack's first sync are not missed.
    await this.#events.add(rack, queue.toKey('events'));
    const { intervalMs } = this.options;
    await queue.upsertJobScheduler(
      RACK_SCHEDULER_ID,
      { every: intervalMs, offset: scheduleOffset(rack, intervalMs) },
      // Upserted at every start: a region of a new protocol version replaces the data its jobs are made with.
      { name: SYNC_JOB, data: syncJobData('schedule'), opts: { removeOnComplete: KEEP_FINISHED_JOBS, removeOnFail: KEEP_FINISHED_JOBS } },
    );
  }

  /** One immediate sync waits at a time per rack; later triggers join it until it finishes. */
  async syncNow(rack: string, reason: SyncReason): Promise<void> {
    const job = syncNowJob(reason);
    await this.#open(rack).add(job.name, job.data, job.opts);
  }

  /** How a rack's newest sync job ended ('active' while one runs; undefined when its queue keeps none). */
  async lastSync(rack: string): Promise<'active' | FinishedSync | undefined> {
    const queue = this.#open(rack);
    if ((await queue.getActiveCount()) > 0) return 'active';
    // Newest first: finished jobs are kept in sets scored by when they finished.
    const [[completed], [failed]] = await Promise.all([queue.getJobs(['completed'], 0, 0, false), queue.getJobs(['failed'], 0, 0, false)]);
    const done = completed && { ok: true as const, result: completed.returnvalue as unknown, finishedOn: completed.finishedOn ?? 0 };
    const lost = failed && { ok: false as const, reason: failed.failedReason, finishedOn: failed.finishedOn ?? 0 };
    return done && (!lost || done.finishedOn >= lost.finishedOn) ? done : lost;
  }

  /** Deregistration: the scheduler, the queue and its jobs go. */
  async remove(rack: string): Promise<void> {
    const queue = this.#open(rack);
    this.#queues.delete(rack);
    this.#events.remove(queue.toKey('events'));
    await queue.removeJobScheduler(RACK_SCHEDULER_ID);
    await queue.obliterate({ force: true });
    await queue.close();
  }

  async close(): Promise<void> {
    const all = [...this.#queues.values()];
    this.#queues.clear();
    await this.#events.close();
    await Promise.all(all.map((q) => q.close()));
  }

  #open(rack: string): Queue {
    const known = this.#queues.get(rack);
    if (known) return known;
    const queue = new Queue(rackQueueName(rack), { connection: this.options.connection, prefix: this.options.prefix, ...RACK_QUEUE_OPTIONS });
    // The rack service's connection logs outages; an unhandled 'error' would crash the region instead.
    queue.on('error', () => undefined);
    this.#queues.set(rack, queue);
    return queue;
  }
}

/**
 * Where in each interval a rack's scheduled sync falls, spread by its name: racks that registered together (a
 * region's racks after a restart of all of them, a simulation) do not all pull in the same second. Pure.
 */
export function scheduleOffset(rack: string, intervalMs: number): number {
  return createHash('sha256').update(rack).digest().readUInt32BE(0) % intervalMs;
}
