import { describe, expect, it } from 'vitest';
import { HttpStatusError, RetriesExhaustedError } from '@bootsync/shared/download';
import { ChecksumMismatchError } from '@bootsync/shared/store';
import { busyFor, isRegionFailure, RegionRequestError, RegionRoster } from '@bootsync/shared/rack-protocol';

const A = 'http://10.0.0.2:5240';
const B = 'http://10.0.0.3:5240';
const C = 'http://10.0.0.4:5240';

describe('the regions a rack knows', () => {
  it('tries the configured regions in order, then the remembered ones, each once and without trailing slashes', () => {
    const roster = new RegionRoster([`${A}/`, B], [B, `${C}/`, A]);
    expect(roster.urls).toEqual([A, B, C]);
    expect(roster.current).toBe(A);
    expect(() => new RegionRoster([], [A])).toThrow(RangeError);
  });

  it('uses one region until it fails, then the next; the round is over once each failed in turn, and starts again from the next', () => {
    const roster = new RegionRoster([A, B, C]);
    expect(roster.failed()).toEqual({ from: A, to: B, roundOver: false });
    expect(roster.failed()).toEqual({ from: B, to: C, roundOver: false });
    expect(roster.failed()).toEqual({ from: C, to: A, roundOver: true });
    expect(roster.failed()).toEqual({ from: A, to: B, roundOver: false });
    expect(roster.current).toBe(B);
  });

  it('starts a new round after a region answered: a failure then moves on without waiting', () => {
    const roster = new RegionRoster([A, B]);
    roster.failed();
    roster.answered();
    expect(roster.failed()).toEqual({ from: B, to: A, roundOver: false });
    expect(roster.failed()).toEqual({ from: A, to: B, roundOver: true });
  });

  it('with one region, every failure ends a round on that same region (the rack waits, then asks it again)', () => {
    const roster = new RegionRoster([A]);
    expect(roster.failed()).toEqual({ from: A, to: A, roundOver: true });
    expect(roster.failed()).toEqual({ from: A, to: A, roundOver: true });
  });

  it('learns the live regions from registration: they replace the remembered ones, the configured stay, the current stays current', () => {
    const roster = new RegionRoster([A], [B]);
    roster.failed();
    expect(roster.current).toBe(B);
    roster.learn([B, C]);
    expect(roster.urls).toEqual([A, B, C]);
    expect(roster.current).toBe(B);
    roster.learn([C]);
    expect(roster.urls).toEqual([A, C]);
    expect(roster.current).toBe(A);
  });
});

describe('what sends a rack to another region', () => {
  const ref = { contentId: 'maas:v2:download', product: 'maas:boot:ubuntu:amd64:ga-24.04:noble', version: '20250718', item: 'squashfs' };
  const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.2:5240'), { code: 'ECONNREFUSED' });
  const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });

  it.each([
    ['a refused connection', refused],
    ['a connection cut mid-body', reset],
    ['a 500', new HttpStatusError(`${A}/f`, 500)],
    ['a 503 asking to wait', new HttpStatusError(`${A}/f`, 503, undefined, 2_000)],
    ['a 502 from a stream read', new RegionRequestError(`${A}/index.json`, 502, 'Bad Gateway')],
    ['a file the downloader gave up on after a reset', new RetriesExhaustedError(`${A}/f`, 1, 0, ref, reset)],
  ])('%s', (_what, err) => {
    expect(isRegionFailure(err)).toBe(true);
  });

  it.each([
    ['a refused token', new RegionRequestError(`${A}/index.json`, 401, '')],
    ['a file the stream does not list', new HttpStatusError(`${A}/f`, 404)],
    ['a wrong file', new ChecksumMismatchError(ref, 'sha256', 'a'.repeat(64), 'b'.repeat(64))],
    ['anything else', new Error('disk on fire')],
  ])('not %s: it would fail the same way at any region of a cluster', (_what, err) => {
    expect(isRegionFailure(err)).toBe(false);
  });

  it('reads how long a busy region asked to wait, through the retries that gave up on it', () => {
    const busy = new HttpStatusError(`${A}/f`, 503, undefined, 2_000);
    expect(busyFor(busy)).toBe(2_000);
    expect(busyFor(new RetriesExhaustedError(`${A}/f`, 1, 0, ref, busy))).toBe(2_000);
    expect(busyFor(new HttpStatusError(`${A}/f`, 500))).toBeUndefined();
    expect(busyFor(refused)).toBeUndefined();
  });
});
