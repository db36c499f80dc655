import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/**
 * One logger per daemon: pino JSON, one event a line. Callers log `{ event: 'import.finished', image, bytes, ms }`
 * with the stable field names (`event`, `image`, `rack`, `bytes`, `sha256`, `ms`, `err`).
 * Secrets never reach a log line: the redaction below is the last guard, not the first.
 */
export function createLogger(
  name: string,
  options: { level?: string; destination?: DestinationStream } = {},
): Logger {
  return pino(
    {
      name,
      level: options.level ?? process.env.BOOTSYNC_LOG_LEVEL ?? 'info',
      base: { service: name },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['secret', 'apiKey', 'password', 'authorization', '*.authorization', 'headers.authorization', 'keyring_data'],
        censor: '[redacted]',
      },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination(1),
  );
}

export { OutageThrottle, type OutageReport } from './outage.js';
export { watchRedisOutage, type RedisOutage, type RedisOutageLog } from './redis-outage.js';
