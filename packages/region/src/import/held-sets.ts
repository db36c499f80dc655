import type { HeldImage, HeldSet, ImageKind, WantedSet } from '@bootsync/shared/select';
import type { BootResource, Repositories, ResourceSetWithFiles } from '../db/index.js';

/**
 * The region's synced images as the import plans with them, and the rows it writes for wanted sets.
 * A resource's `extra` holds what MAAS keeps there (subarches, title, a bootloader's bootloader_type).
 */
export interface HeldSetRow extends HeldSet {
  readonly resourceId: number;
  readonly setId: number;
}

type ImportRepos = Pick<Repositories, 'bootResources' | 'resourceSets'>;

export async function heldSets(repos: ImportRepos): Promise<HeldSetRow[]> {
  const setsOf = await repos.resourceSets.listByResource();
  const held: HeldSetRow[] = [];
  for (const resource of await repos.bootResources.list({ rtype: 'synced' })) {
    const sets = setsOf.get(resource.id) ?? [];
    const image = heldImage(resource, sets[0]?.label ?? '');
    held.push(...sets.map((set) => ({ image, version: set.version, complete: set.complete, resourceId: resource.id, setId: set.id })));
  }
  return held;
}

function heldImage(resource: BootResource, label: string): HeldImage {
  const [os = '', release = ''] = resource.name.split('/');
  const [arch = '', subarch = ''] = resource.architecture.split('/');
  const listed = typeof resource.extra.subarches === 'string' ? resource.extra.subarches.split(',').filter(Boolean) : [];
  const subarches = listed.includes(subarch) ? listed : [...listed, subarch];
  return { kind: kindOf(os, release), os, release, arch, subarch, subarches, label, identity: { name: resource.name, architecture: resource.architecture } };
}

/** Bootloaders are named `<package>/<bootloader type>` (`grub-efi-signed/uefi`), as the select module names them. */
const BOOTLOADER_TYPES: readonly string[] = ['pxe', 'uefi', 'open-firmware'];

function kindOf(os: string, release: string): ImageKind {
  if (BOOTLOADER_TYPES.includes(release)) return 'bootloader';
  return os === 'ubuntu' || os === 'centos' ? os : 'other';
}

/**
 * The resource and set rows of a wanted set, created if missing (an interrupted import finds its rows again).
 * Files whose blob is already stored are recorded as fully verified.
 */
export async function ensureSetRows(repos: ImportRepos, wanted: WantedSet, stored: (sha256: string) => boolean): Promise<ResourceSetWithFiles> {
  const { image } = wanted;
  const resource = await repos.bootResources.upsert({
    rtype: 'synced',
    name: image.identity.name,
    architecture: image.identity.architecture,
    extra: {
      subarches: image.subarches.join(','),
      title: image.title,
      // MAAS keeps a bootloader's type on its BootResource; the region stream publishes it as `bootloader-type`.
      ...(image.kind === 'bootloader' ? { bootloader_type: image.bootloaderType } : {}),
      // BootResource.kflavor and .rolling, which the region stream publishes for racks to lay the kernel out by.
      ...(image.kind === 'ubuntu' ? { kflavor: image.kflavor, ...(image.rolling ? { rolling: true } : {}) } : {}),
    },
  });
  const existing = await repos.resourceSets.findByVersion(resource.id, wanted.version);
  if (existing) return existing;
  return repos.resourceSets.create(resource.id, {
    version: wanted.version,
    label: image.label,
    files: wanted.files.map((f) => {
      const sha256 = f.sha256 ?? '';
      return {
        filename: f.filename,
        filetype: f.filetype,
        sha256,
        size: f.size,
        bytesDone: sha256 !== '' && stored(sha256) ? f.size : 0,
        extra: { ...f.extra, path: f.path, item: f.ref.item },
      };
    }),
  });
}
