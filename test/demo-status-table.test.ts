import { describe, expect, it } from 'vitest';
import { allSynced, formatStatusTable, rackImageStatus, type RackImages, type RegionImage } from '../scripts/demo/status-table.js';

const noble: RegionImage = { name: 'ubuntu/noble', architecture: 'amd64/ga-24.04', status: 'Synced' };
const jammy: RegionImage = { name: 'ubuntu/jammy', architecture: 'amd64/ga-22.04', status: 'Downloading 42%' };
const holdsBoth = [noble, jammy].map(({ name, architecture }) => ({ name, architecture }));

describe('the demo status table', () => {
  it.each<[string, RackImages, string]>([
    ['holds it and is synced', { name: 'r', status: 'synced', images: holdsBoth }, 'Synced'],
    ['holds it, but not the newest of everything', { name: 'r', status: 'out-of-sync', images: holdsBoth }, 'Out-of-sync'],
    ['does not hold it and is fetching', { name: 'r', status: 'syncing', images: [] }, 'Syncing'],
    ['does not hold it while the region imports', { name: 'r', status: 'region-importing', images: [] }, 'Region importing'],
    ['does not hold it and is idle', { name: 'r', status: 'out-of-sync', images: [] }, 'Missing'],
    ['holds another architecture only', { name: 'r', status: 'synced', images: [{ name: 'ubuntu/noble', architecture: 'arm64/ga-24.04' }] }, 'Missing'],
  ])('a rack that %s reads %s', (_, rack, expected) => {
    expect(rackImageStatus(rack, noble)).toBe(expected);
  });

  it('is all synced only when the region and every rack say Synced for every image', () => {
    const synced = (name: string): RackImages => ({ name, status: 'synced', images: holdsBoth });
    expect(allSynced([noble, { ...jammy, status: 'Synced' }], [synced('a'), synced('b')])).toBe(true);
    expect(allSynced([noble, jammy], [synced('a'), synced('b')])).toBe(false);
    expect(allSynced([noble], [synced('a'), { name: 'b', status: 'syncing', images: [] }])).toBe(false);
    expect(allSynced([], [synced('a')])).toBe(false);
    expect(allSynced([noble], [])).toBe(false);
  });

  it('prints images sorted by name, racks as columns sorted by name, aligned on two spaces', () => {
    const racks: RackImages[] = [
      { name: 'rack-2', status: 'syncing', images: [] },
      { name: 'rack-1', status: 'synced', images: holdsBoth },
    ];
    expect(formatStatusTable([noble, jammy], racks)).toBe(
      [
        'IMAGE                        REGION           RACK-1  RACK-2',
        'ubuntu/jammy amd64/ga-22.04  Downloading 42%  Synced  Syncing',
        'ubuntu/noble amd64/ga-24.04  Synced           Synced  Syncing',
      ].join('\n'),
    );
  });
});
