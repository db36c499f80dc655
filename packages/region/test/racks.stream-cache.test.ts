import { describe, expect, it } from 'vitest';
import { StreamCache } from '../src/racks/stream-cache.js';

describe('StreamCache', () => {
  it('builds once for every read within the max age, again after it, and at once after invalidate()', () => {
    let now = 0;
    let builds = 0;
    const cache = new StreamCache(() => ++builds, 1_000, () => now);
    expect([cache.get(), cache.get()]).toEqual([1, 1]);
    now = 999;
    expect(cache.get()).toBe(1);
    now = 1_000;
    expect(cache.get()).toBe(2);
    cache.invalidate();
    expect(cache.get()).toBe(3);
    expect(builds).toBe(3);
  });
});
