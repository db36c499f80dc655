import { describe, expect, it } from 'vitest';
import { readMirror } from '@bootsync/shared/streams';
import { planBlobs, planSnapshot } from '@bootsync/rack/snapshot';
import { bootItem } from './rack-fixtures.js';
import { realFixtures } from '@bootsync/testkit/fixtures';

const realStream = realFixtures.maasStable2025;

describe('planSnapshot', () => {
  it('lays out the real images.maas.io stream as a MAAS rack tree, newest version of each image', async () => {
    const mirror = await readMirror(realStream, { verify: false });
    const plan = planSnapshot(mirror.items);
    const paths = plan.files.map((f) => f.path);

    expect(paths).toContain('ubuntu/amd64/ga-24.04/noble/stable/boot-kernel');
    expect(paths).toContain('ubuntu/arm64/ga-22.04/jammy/stable/squashfs');
    expect(paths).toContain('centos/amd64/generic/centos70/stable/root-tgz');
    const kernel = plan.files.find((f) => f.path === 'ubuntu/amd64/ga-24.04/noble/stable/boot-kernel')!;
    const newest = mirror.items.filter((i) => i.ref.product === kernel.ref.product).map((i) => i.ref.version).sort().pop();
    expect(kernel.ref.version).toBe(newest);
    expect(plan.archives.map((a) => `${a.dir} ${a.ref.item} ${a.ref.version}`)).toContain('bootloader/uefi/amd64 grub2-signed 20231004.0');
    expect(plan.archives.filter((a) => a.dir === 'bootloader/uefi/amd64').map((a) => a.ref.item)).toEqual(['grub2-signed', 'shim-signed']);
    expect(new Set(paths).size).toBe(paths.length);
    expect([...planBlobs(plan).values()].every((size) => size > 0)).toBe(true);
  });

  it('puts a non-generic kernel flavour into the subarch, before -edge, as MAAS does', () => {
    const plan = planSnapshot([
      bootItem('boot-kernel', 'a', { subarch: 'ga-24.04', kflavor: 'lowlatency' }),
      bootItem('boot-kernel', 'b', { subarch: 'hwe-24.04-edge', kflavor: 'lowlatency' }),
    ]);
    expect(plan.files.map((f) => f.path)).toEqual([
      'ubuntu/amd64/ga-24.04-lowlatency/noble/stable/boot-kernel',
      'ubuntu/amd64/hwe-24.04-lowlatency-edge/noble/stable/boot-kernel',
    ]);
  });

  it.each([
    ['a release that climbs out', { release: '..' }, 'release'],
    ['a label with a slash', { label: 'stable/../../etc' }, 'label'],
    ['a hidden os directory', { os: '.hidden' }, 'os'],
    ['an unsafe subarch', { subarch: '..' }, 'subarch'],
  ])('refuses an item with %s, naming the item and the field', (_label, over, field) => {
    expect(() => planSnapshot([bootItem('boot-kernel', 'k', over)])).toThrow(expect.objectContaining({ code: 'RACK_SNAPSHOT_PLAN', field }));
  });

  it('refuses two items that claim one path with different contents', () => {
    const a = bootItem('boot-kernel', 'one');
    const b = { ...bootItem('boot-kernel', 'two'), ref: { ...a.ref, product: `${a.ref.product}-copy` } };
    expect(() => planSnapshot([a, b])).toThrow(expect.objectContaining({ code: 'RACK_SNAPSHOT_CONFLICT' }));
  });
});
