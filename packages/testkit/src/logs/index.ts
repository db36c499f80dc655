import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@bootsync/shared/logging';

export type LogLine = Record<string, unknown> & { event?: string };

/** A real pino logger (the daemons' own) whose lines land parsed in `lines`, for tests that assert on log events. */
export function capturingLogger(name: string, level = 'info'): { readonly logger: Logger; readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text.trim() !== '') lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  return { logger: createLogger(name, { destination: sink, level }), lines };
}
