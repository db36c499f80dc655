import { linkedSubarches } from '@bootsync/shared/select';
import type { BootResource } from '../db/index.js';
import { productName } from '../region-stream/index.js';

/** One entry of `rack-controller list-boot-images`. */
export interface RackBootImage {
  readonly name: string;
  /** Bare: `amd64`. */
  readonly architecture: string;
  /** Sorted. */
  readonly subarches: readonly string[];
}

/**
 * What a rack holds, as MAAS 3.4's RackController.list_boot_images words it (models/node.py, from the rack's
 * tftppath.list_boot_images): one entry per name and bare architecture, its subarches the subarch directories the
 * rack has for them (its own, and the `generic` and `*-rolling` links, linkedSubarches), sorted; a bootloader is
 * `bootloader/<type>` under `generic`. Unlike MAAS 3.4, which lists a custom image by its bare name, the name is the
 * boot resource's (`custom/NAME`, as boot-resources read shows it). Entries come sorted by name and architecture
 * (MAAS: the order the rack's directories were listed in). Pure.
 */
export function rackBootImages(
  held: readonly { readonly product: string }[],
  published: readonly { readonly resource: Pick<BootResource, 'name' | 'architecture' | 'extra'> }[],
): RackBootImage[] {
  const byProduct = new Map(published.map(({ resource }) => [productName(resource), resource]));
  const subarchesOf = new Map<string, { name: string; architecture: string; subarches: Set<string> }>();
  for (const { product } of held) {
    const resource = byProduct.get(product);
    if (!resource) continue;
    const [arch = '', subarch = ''] = resource.architecture.split('/');
    const { bootloader_type: bootloaderType, kflavor, rolling } = resource.extra;
    const [name, subarches] =
      typeof bootloaderType === 'string'
        ? [`bootloader/${bootloaderType}`, ['generic']]
        : [resource.name, linkedSubarches({ release: resource.name.split('/')[1] ?? '', kflavor: String(kflavor ?? ''), rolling: rolling === true }, subarch)];
    const key = `${name}\0${arch}`;
    const entry = subarchesOf.get(key) ?? { name, architecture: arch, subarches: new Set<string>() };
    for (const s of subarches) entry.subarches.add(s);
    subarchesOf.set(key, entry);
  }
  return [...subarchesOf.values()]
    .sort((a, b) => compare(a.name, b.name) || compare(a.architecture, b.architecture))
    .map(({ name, architecture, subarches }) => ({ name, architecture, subarches: [...subarches].sort(compare) }));
}

/** Python's sorted(): by code point. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
