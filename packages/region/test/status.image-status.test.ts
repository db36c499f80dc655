import { describe, expect, it } from 'vitest';
import { downloadPercent, imageStatus, type ImageStatusInput } from '@bootsync/region/status';

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
