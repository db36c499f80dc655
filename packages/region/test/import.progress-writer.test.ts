import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgressWriter } from '../src/import/progress-writer.js';

describe('the progress writer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never writes two batches at once, keeps the latest count of each blob, and writes the rest on close after the batch under way', async () => {
    const batches: [string, number][][] = [];
    let writing = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const writer = createProgressWriter(async (batch) => {
      writing++;
      most = Math.max(most, writing);
      batches.push([...batch]);
      if (batches.length === 1) await held;
      writing--;
    }, 10);
    writer.update('a', 1);
    await vi.advanceTimersByTimeAsync(10);
    expect(batches).toEqual([[['a', 1]]]);
    // Many ticks pass while the first batch is still being written: none starts another.
    writer.update('a', 5);
    writer.update('b', 7);
    writer.update('a', 6);
    await vi.advanceTimersByTimeAsync(100);
    expect(batches).toHaveLength(1);
    const closed = writer.close();
    release();
    await closed;
    expect(batches).toEqual([[['a', 1]], [['a', 6], ['b', 7]]]);
    expect(most).toBe(1);
  });

  it('throws from close a write that failed, after writing what was pending', async () => {
    const written: [string, number][][] = [];
    const writer = createProgressWriter(async (batch) => {
      written.push([...batch]);
      if (written.length === 1) throw new Error('database is locked');
    }, 10);
    writer.update('a', 1);
    await vi.advanceTimersByTimeAsync(10);
    writer.update('a', 2);
    await expect(writer.close()).rejects.toThrow('database is locked');
    expect(written).toEqual([[['a', 1]], [['a', 2]]]);
  });
});
