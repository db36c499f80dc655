import { describe, expect, it } from 'vitest';
import { allSynced, formatStatusTable, rackImageStatus, type RackImages, type RegionImage } from '../scripts/demo/status-table.js';

const noble: RegionImage = { name: 'ubuntu/noble', architecture: 'amd64/ga-24.04', status: 'Synced' };
const jammy: RegionImage = { name: 'ubuntu/jammy', architecture: 'amd64/ga-22.04', status: 'Downloading 42%' };
const holdsBoth = [
  { name: 'ubuntu/noble', architecture: 'amd64', subarches: ['ga-24.04', 'generic'] },
  { name: 'ubuntu/jammy', architecture: 'amd64', subarches: ['ga-22.04', 'generic'] },
];

describe('the demo status table', () => {
  it.each<[string, RackImages, string]>([
    ['holds it and is synced', { name: 'r', status: 'synced', images: holdsBoth }, 'Synced'],
    ['holds it, but not the newest of everything', { name: 'r', status: 'out-of-sync', images: holdsBoth }, 'Out-of-sync'],
    ['does not hold it and is fetching', { name: 'r', status: 'syncing', images: [] }, 'Syncing'],
    ['does not hold it while the region imports', { name: 'r', status: 'region-importing', images: [] }, 'Region importing'],
    ['does not hold it and is idle', { name: 'r', status: 'out-of-sync', images: [] }, 'Missing'],
    ['holds another architecture only', { name: 'r', status: 'synced', images: [{ name: 'ubuntu/noble', architecture: 'arm64', subarches: ['ga-24.04'] }] }, 'Missing'],
    ['holds another kernel only', { name: 'r', status: 'synced', images: [{ name: 'ubuntu/noble', architecture: 'amd64', subarches: ['hwe-24.04'] }] }, 'Missing'],
  ])('a rack that %s reads %s', (_, rack, expected) => {
    expect(rackImageStatus(rack, noble)).toBe(expected);
  });

  it('finds a bootloader under the name list-boot-images gives it (bootloader/<type>)', () => {
    const uefi: RegionImage = { name: 'grub-efi-signed/uefi', architecture: 'amd64/generic', status: 'Synced' };
    const rack: RackImages = { name: 'r', status: 'synced', images: [{ name: 'bootloader/uefi', architecture: 'amd64', subarches: ['generic'] }] };
    expect(rackImageStatus(rack, uefi)).toBe('Synced');
    expect(rackImageStatus({ ...rack, images: [] }, uefi)).toBe('Missing');
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
