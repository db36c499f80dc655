import { describe, expect, it } from 'vitest';
import { describedSet, downloadPercent, imageStatus, type ImageStatusInput } from '@bootsync/region/status';

const MiB = 1024 * 1024;

describe('imageStatus, worded as MAAS 3.4 words it', () => {
  it.each<[string, ImageStatusInput, string]>([
    ['no set yet', { newestSet: undefined }, 'Queued for download'],
    ['incomplete, nothing written', { newestSet: { complete: false, bytesDone: 0, totalBytes: 300 * MiB } }, 'Queued for download'],
    ['incomplete, 42%', { newestSet: { complete: false, bytesDone: 42 * MiB, totalBytes: 100 * MiB } }, 'Downloading 42%'],
    ['incomplete, 7% (no padding)', { newestSet: { complete: false, bytesDone: 7, totalBytes: 100 } }, 'Downloading 7%'],
    ['incomplete, a few bytes', { newestSet: { complete: false, bytesDone: 1, totalBytes: 100 * MiB } }, 'Downloading 1%'],
    ['incomplete, 99.9% never reads 100%', { newestSet: { complete: false, bytesDone: 999, totalBytes: 1000 } }, 'Downloading 99%'],
    ['complete, no racks known', { newestSet: { complete: true, bytesDone: 10, totalBytes: 10 } }, 'Synced'],
    [
      'complete, every rack has it',
      { newestSet: { complete: true, bytesDone: 10, totalBytes: 10 }, racks: { allRacksHaveIt: true, someRackSyncing: false } },
      'Synced',
    ],
    [
      'complete, a rack syncing',
      { newestSet: { complete: true, bytesDone: 10, totalBytes: 10 }, racks: { allRacksHaveIt: false, someRackSyncing: true } },
      'Syncing to rack controller(s)',
    ],
    [
      'complete, racks behind and idle',
      { newestSet: { complete: true, bytesDone: 10, totalBytes: 10 }, racks: { allRacksHaveIt: false, someRackSyncing: false } },
      'Waiting for rack controller(s) to sync',
    ],
  ])('%s', (_name, input, expected) => {
    expect(imageStatus(input)).toBe(expected);
  });

  it('counts an empty set as nothing downloaded', () => {
    expect(downloadPercent({ complete: false, bytesDone: 0, totalBytes: 0 })).toBe(0);
  });
});

describe('describedSet: which set an image status describes', () => {
  const set = (name: string, complete: boolean, damaged = false) => ({ name, complete, damaged });
  it.each<[string, ReturnType<typeof set>[], boolean, string | undefined]>([
    ['no set', [], false, undefined],
    ['the newest, complete', [set('new', true), set('old', true)], false, 'new'],
    ['a download in progress', [set('new', false), set('old', true)], true, 'new'],
    ['a download no import works on, an older set served', [set('new', false), set('old', true)], false, 'old'],
    ['a first download that failed (nothing older)', [set('new', false)], false, 'new'],
    ['a damaged set waiting for its repair', [set('new', false, true), set('old', true)], false, 'new'],
  ])('%s', (_label, sets, importRunning, shown) => {
    expect(describedSet(sets, importRunning)?.name).toBe(shown);
  });
});
