import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { OutageThrottle } from './outage.js';

/** What a Redis connection's outage is logged as; the event names are the operations doc's, so callers name them. */
export interface RedisOutageLog {
  readonly logger: Logger;
  /** At the first failure of an outage, then at most once a minute while it lasts: `err`, `failures`, `ms`. */
  readonly error: string;
  /** Once, when the connection is ready again: `failures`, `ms`. */
  readonly restored: string;
  /** The level of `error`. @defaultValue 'warn' */
  readonly level?: 'warn' | 'error';
  /** Carried by both lines besides those, e.g. `{ rack: 'rack-1' }`. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface RedisOutage {
  /** True from a connection error until the connection is ready again: errors that follow from it stay quiet. */
  readonly down: boolean;
  /**
   * Whether an error another client of the same Redis reported (a BullMQ worker's own blocking connection) is this
   * outage's to log: any while it lasts, and a failure of the connection itself (ECONNRESET...) at any time, which
   * the watched connection meets at the same moment, before or after that client as the kernel tells them.
   */
  covers(err: unknown): boolean;
}

/** Socket errors of a connection to a Redis that went away (or was never there). */
const CONNECTION_FAILURES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Logs the outages of one ioredis connection. ioredis reconnects by itself and reports every attempt ('error'
 * every 50-2000 ms), so an outage is one line when it begins, one a minute while it lasts and one when it ends.
 * Attach it before BullMQ gets the connection: BullMQ re-emits the same errors on its queues and workers, which can
 * then tell from `down` that the outage is already logged.
 */
export function watchRedisOutage(connection: Pick<EventEmitter, 'on'>, log: RedisOutageLog): RedisOutage {
  const throttle = new OutageThrottle();
  const fields = log.fields ?? {};
  connection.on('error', (err: unknown) => {
    const report = throttle.failed();
    if (report) log.logger[log.level ?? 'warn']({ event: log.error, ...fields, err, failures: report.failures, ms: report.ms });
  });
  connection.on('ready', () => {
    const ended = throttle.restored();
    if (ended) log.logger.info({ event: log.restored, ...fields, failures: ended.failures, ms: ended.ms });
  });
  return {
    get down() {
      return throttle.down;
    },
    covers(err) {
      const code = (err as { code?: unknown } | null)?.code;
      return throttle.down || (typeof code === 'string' && CONNECTION_FAILURES.has(code));
    },
  };
}
