import { describe, expect, it } from 'vitest';
import { backoffDelay, bypassesProxy, parseNoProxy, RetryStreak } from '@bootsync/shared/download';

describe('no_proxy matching', () => {
  it.each([
    ['images.maas.io', 'http://images.maas.io/x', true],
    ['.maas.io', 'http://images.maas.io/x', true],
    ['maas.io', 'http://images.maas.io/x', true],
    ['maas.io', 'http://notmaas.io/x', false],
    ['*', 'http://anything.example/x', true],
    ['10.0.0.5:5240', 'http://10.0.0.5:5240/x', true],
    ['10.0.0.5:5240', 'http://10.0.0.5/x', false],
    ['region.lan:443', 'https://region.lan/x', true],
    ['IMAGES.MAAS.IO', 'http://images.maas.io/x', true],
    ['', 'http://images.maas.io/x', false],
  ])('%j for %s → %s', (noProxy, url, bypass) => {
    expect(bypassesProxy(new URL(url), parseNoProxy(noProxy))).toBe(bypass);
  });

  it('reads comma- and space-separated strings and lists alike', () => {
    expect(parseNoProxy('a.example, b.example  c.example')).toEqual(parseNoProxy(['a.example', 'b.example', 'c.example']));
  });
});

describe('retry policy', () => {
  const policy = { attempts: 5, budgetMs: 10_000, baseDelayMs: 100, maxDelayMs: 1_000, jitter: 0.5 };

  it('doubles the delay up to the cap, and jitter only shortens it', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n, () => 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(policy, 3, () => 1)).toBe(200);
  });

  it('gives up after `attempts` failures in a row, but an attempt that made progress starts a new streak', () => {
    const streak = new RetryStreak(policy, () => 0);
    expect([1, 2, 3, 4].map(() => streak.fail(false) !== undefined)).toEqual([true, true, true, true]);
    expect(streak.fail(true)).toBeDefined();
    expect([1, 2, 3, 4].map(() => streak.fail(false) !== undefined)).toEqual([true, true, true, false]);
    expect(streak.failures).toBe(9);
  });

  it('starts no attempt past the time budget', () => {
    let now = 0;
    const streak = new RetryStreak({ ...policy, attempts: 100 }, () => now);
    expect(streak.fail(false)).toBeDefined();
    now = 9_950;
    expect(streak.fail(false)).toBeUndefined();
  });
});
