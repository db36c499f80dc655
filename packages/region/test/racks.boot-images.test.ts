import { describe, expect, it } from 'vitest';
import { rackBootImages } from '../src/racks/rack-boot-images.js';
import { productName } from '../src/region-stream/index.js';

interface Published {
  readonly resource: { readonly name: string; readonly architecture: string; readonly extra: Record<string, unknown> };
}

/** A resource the region publishes (its set does not matter here). */
const published = (name: string, architecture: string, extra: Record<string, unknown> = {}): Published => ({ resource: { name, architecture, extra } });
const held = (images: readonly Published[]): { product: string }[] => images.map(({ resource }) => ({ product: productName(resource) }));

describe('a rack\'s boot images as list-boot-images lists them (MAAS 3.4 RackController.list_boot_images)', () => {
  const noble = [
    published('ubuntu/noble', 'amd64/ga-24.04', { kflavor: 'generic', subarches: 'generic,hwe-p,ga-24.04' }),
    published('ubuntu/noble', 'amd64/hwe-24.04', { kflavor: 'generic', rolling: true, subarches: 'generic,ga-24.04,hwe-24.04' }),
    published('ubuntu/noble', 'amd64/ga-24.04-lowlatency', { kflavor: 'lowlatency', subarches: 'generic,ga-24.04' }),
    published('ubuntu/noble', 'arm64/ga-24.04', { kflavor: 'generic' }),
  ];
  const bootloaders = [
    published('grub-efi-signed/uefi', 'amd64/generic', { bootloader_type: 'uefi' }),
    published('grub-efi/uefi', 'arm64/generic', { bootloader_type: 'uefi' }),
    published('pxelinux/pxe', 'i386/generic', { bootloader_type: 'pxe' }),
  ];
  const custom = published('custom/desk', 'amd64/generic');

  it('merges the kernels of one release and architecture into one entry, with the subarch directories sorted', () => {
    expect(rackBootImages(held(noble), noble)).toEqual([
      { name: 'ubuntu/noble', architecture: 'amd64', subarches: ['ga-24.04', 'ga-24.04-lowlatency', 'generic', 'hwe-24.04', 'hwe-rolling'] },
      { name: 'ubuntu/noble', architecture: 'arm64', subarches: ['ga-24.04', 'generic'] },
    ]);
  });

  it('lists bootloaders as bootloader/<type> under generic, and custom images by their resource name', () => {
    const all = [...bootloaders, custom];
    expect(rackBootImages(held(all), all)).toEqual([
      { name: 'bootloader/pxe', architecture: 'i386', subarches: ['generic'] },
      { name: 'bootloader/uefi', architecture: 'amd64', subarches: ['generic'] },
      { name: 'bootloader/uefi', architecture: 'arm64', subarches: ['generic'] },
      { name: 'custom/desk', architecture: 'amd64', subarches: ['generic'] },
    ]);
  });

  it('lists only what the rack holds, and nothing the region no longer publishes', () => {
    const [ga, , , arm] = noble;
    expect(rackBootImages([...held([arm!]), { product: 'maas:boot:ubuntu:amd64:ga-20.04:focal' }], noble)).toEqual([
      { name: 'ubuntu/noble', architecture: 'arm64', subarches: ['ga-24.04', 'generic'] },
    ]);
    expect(rackBootImages(held([ga!]), [])).toEqual([]);
  });
});
