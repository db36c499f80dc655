import { describe, expect, it } from 'vitest';
import { OutageThrottle } from '@bootsync/shared/logging';

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
