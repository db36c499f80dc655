import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { OutageThrottle, watchRedisOutage } from '@bootsync/shared/logging';
import { capturingLogger } from '@bootsync/testkit/logs';

describe('OutageThrottle: when a dependency that is down is worth a log line', () => {
  it('reports the first failure, then at most one a minute, then the way back once', () => {
    let now = 1_000_000;
    const outage = new OutageThrottle(60_000, () => now);
    const at = (ms: number): ReturnType<OutageThrottle['failed']> => {
      now = 1_000_000 + ms;
      return outage.failed();
    };

    expect(outage.restored()).toBeUndefined(); // the first 'ready' of a connection that never failed
    expect(at(0)).toEqual({ first: true, failures: 1, ms: 0 });
    expect(outage.down).toBe(true);
    // ioredis retries every 100-500 ms: quiet until a minute has passed since the last line.
    for (let ms = 200; ms < 60_000; ms += 200) expect(at(ms)).toBeUndefined();
    expect(at(60_000)).toEqual({ first: false, failures: 301, ms: 60_000 });
    expect(at(60_500)).toBeUndefined();
    expect(at(120_000)).toEqual({ first: false, failures: 303, ms: 120_000 });

    now = 1_000_000 + 125_000;
    expect(outage.restored()).toEqual({ failures: 303, ms: 125_000 });
    expect(outage.down).toBe(false);
    expect(outage.restored()).toBeUndefined();
    // A new outage is reported at once, counted afresh.
    expect(at(126_000)).toEqual({ first: true, failures: 1, ms: 0 });
  });
});

describe('watchRedisOutage: one outage, however many clients of that Redis meet it', () => {
  it('logs the watched connection\'s outage once, and covers what another client of the same Redis reports of it', () => {
    const connection = new EventEmitter();
    const { logger, lines } = capturingLogger('outage-test');
    const outage = watchRedisOutage(connection, { logger, error: 'x.redis.error', restored: 'x.redis.restored' });
    const reset = Object.assign(new Error('write ECONNRESET'), { code: 'ECONNRESET' });
    // A worker's blocking connection may meet the outage a few ms before the watched one: it is the outage's.
    expect(outage.covers(reset)).toBe(true);
    expect(outage.covers(new Error('Connection is closed.'))).toBe(false);
    connection.emit('error', reset);
    connection.emit('error', reset);
    expect(outage.covers(new Error('Connection is closed.'))).toBe(true);
    connection.emit('ready');
    expect(outage.covers(new Error('Connection is closed.'))).toBe(false);
    expect(lines.map((l) => l.event)).toEqual(['x.redis.error', 'x.redis.restored']);
    expect(lines[1]).toMatchObject({ failures: 2 });
  });
});
