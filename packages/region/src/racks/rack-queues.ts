import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { KEEP_FINISHED_JOBS, rackQueueName, SYNC_JOB, syncJobData, syncNowJob, type SyncReason } from '@bootsync/shared/rack-protocol';

export const RACK_SCHEDULER_ID = 'rack-sync';

interface Opened {
  readonly queue: Queue;
  readonly events: QueueEvents;
  /** QueueEvents block on their connection: one of their own each, closed with them. */
  readonly eventsConnection: Redis;
}

export type FinishedSync =
  | { readonly ok: true; readonly result: unknown; readonly finishedOn: number }
  | { readonly ok: false; readonly reason: string; readonly finishedOn: number };

export interface RackQueueEventHandlers {
  active(rack: string): void;
  progress(rack: string, progress: unknown): void;
  completed(rack: string, result: unknown): void;
  failed(rack: string, reason: string): void;
}

/**
 * One queue and one job scheduler per rack, under the region's prefix. The scheduler creates the next job only
 * when the previous one starts, so a rack that is away finds at most one waiting scheduled job (plus one immediate).
 */
export class RackQueues {
  readonly #queues = new Map<string, Opened>();

  constructor(
    private readonly options: {
      readonly connection: Redis;
      /** For QueueEvents, which need a blocking connection of their own. */
      readonly redisUrl: string;
      readonly prefix: string;
      readonly intervalMs: number;
      readonly handlers: RackQueueEventHandlers;
    },
  ) {}

  /** Idempotent: called at start-up, at registration and whenever Redis is ready again. */
  async upsertScheduler(rack: string): Promise<void> {
    await this.#open(rack).queue.upsertJobScheduler(
      RACK_SCHEDULER_ID,
      { every: this.options.intervalMs },
      // Upserted at every start: a region of a new protocol version replaces the data its jobs are made with.
      { name: SYNC_JOB, data: syncJobData('schedule'), opts: { removeOnComplete: KEEP_FINISHED_JOBS, removeOnFail: KEEP_FINISHED_JOBS } },
    );
  }

  /** One immediate sync waits at a time per rack; later triggers join it until it finishes. */
  async syncNow(rack: string, reason: SyncReason): Promise<void> {
    const job = syncNowJob(reason);
    await this.#open(rack).queue.add(job.name, job.data, job.opts);
  }

  /** How a rack's newest sync job ended ('active' while one runs; undefined when its queue keeps none). */
  async lastSync(rack: string): Promise<'active' | FinishedSync | undefined> {
    const { queue } = this.#open(rack);
    if ((await queue.getActiveCount()) > 0) return 'active';
    // Newest first: finished jobs are kept in sets scored by when they finished.
    const [[completed], [failed]] = await Promise.all([queue.getJobs(['completed'], 0, 0, false), queue.getJobs(['failed'], 0, 0, false)]);
    const done = completed && { ok: true as const, result: completed.returnvalue as unknown, finishedOn: completed.finishedOn ?? 0 };
    const lost = failed && { ok: false as const, reason: failed.failedReason, finishedOn: failed.finishedOn ?? 0 };
    return done && (!lost || done.finishedOn >= lost.finishedOn) ? done : lost;
  }

  /** Deregistration: the scheduler, the queue and its jobs go. */
  async remove(rack: string): Promise<void> {
    const opened = this.#open(rack);
    this.#queues.delete(rack);
    await opened.queue.removeJobScheduler(RACK_SCHEDULER_ID);
    await opened.queue.obliterate({ force: true });
    await closeOpened(opened);
  }

  async close(): Promise<void> {
    const all = [...this.#queues.values()];
    this.#queues.clear();
    await Promise.all(all.map(closeOpened));
  }

  #open(rack: string): Opened {
    const known = this.#queues.get(rack);
    if (known) return known;
    const name = rackQueueName(rack);
    const { prefix, handlers } = this.options;
    const queue = new Queue(name, { connection: this.options.connection, prefix });
    const eventsConnection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    const events = new QueueEvents(name, { connection: eventsConnection, prefix });
    events.on('active', () => handlers.active(rack));
    events.on('progress', ({ data }) => handlers.progress(rack, data));
    events.on('completed', ({ returnvalue }) => handlers.completed(rack, returnvalue));
    events.on('failed', ({ failedReason }) => handlers.failed(rack, failedReason));
    // QueueEvents reconnect by themselves; an unhandled 'error' would crash the region instead.
    events.on('error', () => undefined);
    queue.on('error', () => undefined);
    eventsConnection.on('error', () => undefined);
    const opened = { queue, events, eventsConnection };
    this.#queues.set(rack, opened);
    return opened;
  }
}

async function closeOpened({ queue, events, eventsConnection }: Opened): Promise<void> {
  await Promise.all([queue.close(), events.close()]);
  eventsConnection.disconnect();
}
