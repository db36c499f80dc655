import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from '@bootsync/shared/logging';

/** What the region hears of a rack's sync jobs, from its queue's events (the ones BullMQ's QueueEvents gives). */
export interface RackQueueEventHandlers {
  active(rack: string): void | Promise<void>;
  progress(rack: string, progress: unknown): void | Promise<void>;
  completed(rack: string, result: unknown): void | Promise<void>;
  failed(rack: string, reason: string): void | Promise<void>;
}

/** Longest wait of one read for new events; a rack added meanwhile is read from the next one. */
const BLOCK_MS = 1_000;
/**
 * Pause after a read that found events, so the next gathers more: one read over every rack's stream costs Redis
 * in proportion to the racks, and racks in a burst of syncs each add several events a second.
 */
const GATHER_MS = 20;
const COUNT = 1_000;

interface Stream {
  readonly rack: string;
  lastId: string;
}

/**
 * Every rack's queue events on one connection: one blocking XREAD over all their event streams, where BullMQ's
 * QueueEvents takes a blocking connection (two, with its own) per queue: 2,000 connections for 1,000 racks.
 * The events are read as QueueEvents reads them (the same stream, the same fields); a rack's stream is read from
 * where it stood when the rack was added, so nothing it does after that is missed.
 */
export class RackEventReader {
  readonly #connection: Redis;
  readonly #streams = new Map<string, Stream>();
  #closed = false;
  #loop: Promise<void> | undefined;

  /** `connection` is the reader's own (it blocks on it, and closes it), with `maxRetriesPerRequest: null`. */
  constructor(
    connection: Redis,
    private readonly handlers: RackQueueEventHandlers,
    private readonly logger: Logger,
  ) {
    this.#connection = connection;
    // Outages are logged by the rack service's own connection (watchRedisOutage); an unhandled 'error' would crash.
    this.#connection.on('error', () => undefined);
  }

  /** Reads the events of `rack` from now on (idempotent). */
  async add(rack: string, eventsKey: string): Promise<void> {
    if (this.#streams.has(eventsKey)) return;
    const [last] = await this.#connection.xrevrange(eventsKey, '+', '-', 'COUNT', 1);
    if (!this.#streams.has(eventsKey)) this.#streams.set(eventsKey, { rack, lastId: last?.[0] ?? '0-0' });
    this.#loop ??= this.#run();
  }

  remove(eventsKey: string): void {
    this.#streams.delete(eventsKey);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#connection.disconnect();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      try {
        const found = await this.#readOnce();
        if (found) await sleep(GATHER_MS);
      } catch (err) {
        if (this.#closed) return;
        this.logger.debug({ event: 'racks.events.read_failed', err });
        await sleep(BLOCK_MS);
      }
    }
  }

  /** One XREAD over every stream; whether it found events. */
  async #readOnce(): Promise<boolean> {
    const streams = [...this.#streams];
    if (streams.length === 0) {
      await sleep(BLOCK_MS);
      return false;
    }
    const keys = streams.map(([key]) => key);
    const ids = streams.map(([, s]) => s.lastId);
    const reply = await this.#connection.xread('COUNT', COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', ...keys, ...ids);
    if (!reply) return false;
    for (const [key, entries] of reply) {
      const stream = this.#streams.get(key);
      if (!stream) continue;
      for (const [id, fields] of entries) {
        stream.lastId = id;
        // In order: a rack's "completed" must never be recorded before its "active".
        await this.#dispatch(stream.rack, fields);
      }
    }
    return true;
  }

  async #dispatch(rack: string, fields: readonly string[]): Promise<void> {
    const args = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) args.set(fields[i] as string, fields[i + 1] as string);
    try {
      switch (args.get('event')) {
        case 'active':
          return await this.handlers.active(rack);
        case 'progress':
          return await this.handlers.progress(rack, JSON.parse(args.get('data') ?? 'null') as unknown);
        case 'completed':
          return await this.handlers.completed(rack, args.get('returnvalue'));
        case 'failed':
          return await this.handlers.failed(rack, args.get('failedReason') ?? '');
        default:
          return undefined;
      }
    } catch (err) {
      // One unreadable event (a rack of another version, a handler that failed) never stops the others.
      this.logger.warn({ event: 'racks.events.unreadable', rack, err });
    }
  }
}
