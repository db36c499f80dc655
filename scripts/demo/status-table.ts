import { alignColumns } from '@bootsync/cli/table';

/** One image the region holds, as the MAAS API's `boot-resources read` lists it. */
export interface RegionImage {
  readonly name: string;
  readonly architecture: string;
  /** The Images page words: "Synced", "Downloading 42%"... */
  readonly status: string;
}

/**
 * One rack as `rackcontrollers/{name}/?op=list_boot_images` answers: its status and the images it holds, as MAAS
 * lists them (a bare architecture with the subarches held; a bootloader as `bootloader/<type>`).
 */
export interface RackImages {
  readonly name: string;
  readonly status: string;
  readonly images: readonly { readonly name: string; readonly architecture: string; readonly subarches: readonly string[] }[];
}

/** MAAS's bootloader types: a bootloader resource is `<os>/<type>` (`grub-efi-signed/uefi`). */
const BOOTLOADER_TYPES: readonly string[] = ['pxe', 'uefi', 'open-firmware'];

const RACK_WORDS: Readonly<Record<string, string>> = {
  synced: 'Synced',
  syncing: 'Syncing',
  'out-of-sync': 'Out-of-sync',
  'region-importing': 'Region importing',
  unknown: 'Unknown',
};

/**
 * What one rack shows for one image: "Synced" only when the rack holds it and holds exactly what the region offers
 * (status synced, which also means the newest version); otherwise the rack's status, or "Missing".
 */
export function rackImageStatus(rack: RackImages, image: Pick<RegionImage, 'name' | 'architecture'>): string {
  const [arch, subarch = 'generic'] = image.architecture.split('/');
  const type = image.name.split('/')[1] ?? '';
  const listed = BOOTLOADER_TYPES.includes(type) ? `bootloader/${type}` : image.name;
  const holds = rack.images.some((i) => i.name === listed && i.architecture === arch && i.subarches.includes(subarch));
  if (holds || rack.status === 'syncing' || rack.status === 'region-importing') return RACK_WORDS[rack.status] ?? rack.status;
  return 'Missing';
}

/** True when every image reads "Synced" on the region and on every rack (and there is at least one of each). */
export function allSynced(images: readonly RegionImage[], racks: readonly RackImages[]): boolean {
  return (
    images.length > 0 &&
    racks.length > 0 &&
    images.every((image) => image.status === 'Synced' && racks.every((rack) => rackImageStatus(rack, image) === 'Synced'))
  );
}

/** An aligned text table: one row per image (sorted), the region's column, then one column per rack (sorted). */
export function formatStatusTable(images: readonly RegionImage[], racks: readonly RackImages[]): string {
  const sortedRacks = [...racks].sort((a, b) => a.name.localeCompare(b.name));
  const rows = [...images]
    .sort((a, b) => a.name.localeCompare(b.name) || a.architecture.localeCompare(b.architecture))
    .map((image) => [`${image.name} ${image.architecture}`, image.status, ...sortedRacks.map((rack) => rackImageStatus(rack, image))]);
  const header = ['IMAGE', 'REGION', ...sortedRacks.map((rack) => rack.name.toUpperCase())];
  return alignColumns([header, ...rows]).join('\n');
}
