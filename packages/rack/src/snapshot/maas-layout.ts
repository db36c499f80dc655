import type { FieldValue, ProductItem } from '@bootsync/shared/streams';

/**
 * Where MAAS 3.4's rack import puts things, from provisioningserver/import_images (download_resources.py
 * RepoWriter.insert_item, boot_resources.py link_bootloaders and write_snapshot_metadata, download_descriptions.py
 * RepoDumper, boot_image_mapping.py dump_json) and provisioningserver/boot/*.py (each boot method's bootloader
 * files). Pure.
 */

// The subarch directories of an item: the region lists a rack's images by the same rule.
export { linkedSubarches } from '@bootsync/shared/select';

/** One boot method's files at the snapshot root (provisioningserver/boot/*.py, in BootMethodRegistry's order). */
interface BootMethod {
  readonly biosBootMethod: string;
  readonly arches: readonly string[];
  readonly files: readonly string[];
}

const BOOT_METHODS: readonly BootMethod[] = [
  { biosBootMethod: 'ipxe', arches: [], files: [] },
  { biosBootMethod: 'pxe', arches: ['i386', 'amd64'], files: ['lpxelinux.0', 'chain.c32', 'ifcpu64.c32', 'ldlinux.c32', 'libcom32.c32', 'libutil.c32'] },
  { biosBootMethod: 'uefi', arches: ['amd64'], files: ['bootx64.efi', 'grubx64.efi'] },
  { biosBootMethod: 'uefi', arches: ['ebc'], files: ['bootx64.efi', 'grubx64.efi'] },
  { biosBootMethod: 'uefi', arches: ['arm64'], files: ['bootaa64.efi', 'grubaa64.efi'] },
  { biosBootMethod: 'open-firmware', arches: ['ppc64el', 'ppc64'], files: ['bootppc64.bin'] },
  { biosBootMethod: 'powernv', arches: ['ppc64el'], files: [] },
  { biosBootMethod: 's390x', arches: ['s390x'], files: [] },
  { biosBootMethod: 's390x_partition', arches: ['s390x'], files: [] },
];

/** A symlink at the snapshot root, pointing (relatively) into the snapshot. */
export interface RootLink {
  readonly path: string;
  readonly target: string;
}

/**
 * link_bootloaders on a snapshot whose bootloaders came in the stream: for each boot method, the first of its
 * arches with a `bootloader/<type>/<arch>/` directory gives its files at the root (those present), and PXE adds
 * `syslinux` (the whole directory, for extra modules) and `pxelinux.0` (→ lpxelinux.0, for DHCP servers that name
 * it). MAAS links absolute paths; these are relative, so the snapshot can move. What MAAS takes from the previous
 * snapshot or the host's /usr/lib/PXELINUX when the stream has no bootloaders is left out: a bootsync rack serves
 * only what its region offers. `exists` answers for paths relative to the snapshot root.
 */
export function bootloaderRootLinks(exists: (relative: string) => boolean): RootLink[] {
  const links = new Map<string, string>();
  for (const method of BOOT_METHODS) {
    const arch = method.arches.find((a) => exists(`bootloader/${method.biosBootMethod}/${a}`));
    if (arch === undefined) continue;
    const dir = `bootloader/${method.biosBootMethod}/${arch}`;
    for (const file of method.files) if (exists(`${dir}/${file}`)) links.set(file, `${dir}/${file}`);
    if (method.biosBootMethod === 'pxe') {
      links.set('syslinux', dir);
      links.set('pxelinux.0', 'lpxelinux.0');
    }
  }
  return [...links].map(([path, target]) => ({ path, target }));
}

/** clean_up_repo_item: what maas.meta keeps of an item. */
const META_KEYS: readonly string[] = [
  'content_id', 'product_name', 'version_name', 'path', 'subarches', 'release_codename', 'release_title', 'support_eol', 'kflavor',
  'bootloader-type', 'os_title', 'gadget_title',
];

/**
 * `maas.meta` as MAAS 3.4 writes it: the BootImageMapping of the region stream (RepoDumper, newest version of each
 * product, items in the order the stream lists them), as `json.dumps(data, sort_keys=True)` nests it:
 * os → arch → subarch → kflavor → release → label → the item's kept fields.
 */
export function maasMeta(items: readonly ProductItem[]): string {
  const newest = new Map<string, string>();
  for (const item of items) {
    const seen = newest.get(item.ref.product);
    if (seen === undefined || seen < item.ref.version) newest.set(item.ref.product, item.ref.version);
  }
  const mapping = new Map<string, { spec: string[]; value: Record<string, FieldValue> }>();
  const put = (spec: string[], value: Record<string, FieldValue>, replace: boolean): void => {
    const key = JSON.stringify(spec);
    if (replace || !mapping.has(key)) mapping.set(key, { spec, value });
  };
  for (const item of items) {
    if (newest.get(item.ref.product) !== item.ref.version) continue;
    const f: Readonly<Record<string, FieldValue>> = { ...item.fields, path: item.path };
    const os = String(f.os ?? 'ubuntu');
    const arch = String(f.arch);
    const subarches = String(f.subarches ?? 'generic');
    const bootloader = f['bootloader-type'];
    const release = String(bootloader ?? f.release);
    const kflavor = bootloader === undefined ? String(f.kflavor ?? 'generic') : 'bootloader';
    const label = String(f.label);
    const kept = Object.fromEntries(META_KEYS.filter((k) => f[k] !== undefined).map((k) => [k, f[k]!]));
    for (const subarch of subarches.split(',')) put([os, arch, subarch, kflavor, release, label], kept, false);
    const subarch = String(f.subarch ?? 'generic');
    put([os, arch, subarch, kflavor, release, label], kept, true);
    if (os === 'ubuntu' && f.version !== undefined) {
      const hweArches = [`ga-${String(f.version)}`, `hwe-${release[0] ?? ''}`];
      if (hweArches.includes(subarch) && subarches.split(',').includes('generic')) put([os, arch, 'generic', kflavor, release, label], kept, true);
    }
  }
  const data: Record<string, unknown> = {};
  for (const { spec, value } of mapping.values()) {
    let node = data;
    for (const key of spec.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[spec.at(-1)!] = value;
  }
  return pythonJson(data);
}

/** Python's json.dumps(value, sort_keys=True): `, ` and `: ` separators, non-ASCII escaped as \\uXXXX. */
export function pythonJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(', ')}}`;
}
