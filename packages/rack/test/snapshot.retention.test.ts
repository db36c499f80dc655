import { describe, expect, it } from 'vitest';
import { snapshotName, snapshotTime, snapshotsToRemove } from '@bootsync/rack/snapshot';

const MIN = 60_000;
const t0 = new Date('2025-07-24T08:00:00.000Z');
const at = (minutes: number) => snapshotName(new Date(t0.getTime() + minutes * MIN));

describe('snapshotsToRemove', () => {
  it('names snapshots by UTC time so they sort in time order', () => {
    expect(snapshotName(new Date('2025-07-24T08:01:49.007Z'))).toBe('snapshot-20250724-080149-007');
    expect(snapshotTime('snapshot-20250724-080149-007')?.toISOString()).toBe('2025-07-24T08:01:49.007Z');
    expect(snapshotTime('cache')).toBeUndefined();
  });

  it.each([
    ['keeps a replaced snapshot during the grace period', [at(0), at(5)], at(5), 14, []],
    ['removes a replaced snapshot once the grace period has passed since its replacement', [at(0), at(5)], at(5), 15, [at(0)]],
    ['counts the grace period from each replacement, not from the current one', [at(0), at(5), at(12)], at(12), 16, [at(0)]],
    ['removes a complete snapshot newer than current (crash before the swap)', [at(0), at(5)], at(0), 6, [at(5)]],
    ['removes half-built trees and leftover swap links', [at(0), `${at(5)}.partial`, '.current-1234'], at(0), 6, [`${at(5)}.partial`, '.current-1234']],
    ['never touches current, the cache or foreign names', ['cache', 'current', 'notes', at(0)], at(0), 600, []],
  ])('%s', (_label, entries, current, nowMinutes, expected) => {
    expect(snapshotsToRemove(entries, current, new Date(t0.getTime() + nowMinutes * MIN), 10 * MIN)).toEqual([...expected].sort());
  });
});
