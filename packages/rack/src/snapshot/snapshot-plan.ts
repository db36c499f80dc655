import type { HeldImage } from '@bootsync/shared/rack-protocol';
import { formatItemRef, type ItemRef, type ProductItem } from '@bootsync/shared/streams';
import { SnapshotConflictError, SnapshotPlanError } from '../errors/index.js';
import { linkedSubarches } from './maas-layout.js';

/** A blob hard-linked at `path` (relative to the snapshot root). */
export interface SnapshotFile {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  readonly ref: ItemRef;
}

/** A bootloader `archive.tar.xz` unpacked into `dir` (relative to the snapshot root). */
export interface SnapshotArchive {
  readonly dir: string;
  readonly sha256: string;
  readonly size: number;
  readonly ref: ItemRef;
}

/** The whole tree a snapshot holds, sorted by path; what a rack "holds" once it is published. */
export interface SnapshotPlan {
  readonly files: readonly SnapshotFile[];
  readonly archives: readonly SnapshotArchive[];
}

const BOOTLOADER_FTYPE = 'archive.tar.xz';

/**
 * Lays stream items out as MAAS racks do: `<os>/<arch>/<subarch>/<release>/<label>/<item name>`, also under
 * `generic` for a release's generic kernel and `hwe-rolling` for a rolling one (maas-layout.ts), bootloader
 * archives under `bootloader/<type>/<arch>/`. Where a stream keeps several versions of one image, the newest
 * (by byte order of version names, as simplestreams sorts them) is the one laid out.
 */
export function planSnapshot(items: readonly ProductItem[]): SnapshotPlan {
  const newest = new Map<string, { version: string; items: ProductItem[] }>();
  for (const item of items) {
    const dir = targetDir(item);
    const seen = newest.get(dir);
    if (!seen || seen.version < item.ref.version) newest.set(dir, { version: item.ref.version, items: [item] });
    else if (seen.version === item.ref.version) seen.items.push(item);
  }
  const files = new Map<string, SnapshotFile>();
  const archives: SnapshotArchive[] = [];
  const aliases: SnapshotFile[] = [];
  for (const [dir, { items: chosen }] of newest) {
    for (const item of chosen) {
      const sha256 = requireSha256(item);
      if (item.ftype === BOOTLOADER_FTYPE) {
        archives.push({ dir, sha256, size: item.size, ref: item.ref });
        continue;
      }
      const name = safeSegment(item, 'item name', item.ref.item);
      const path = `${dir}/${name}`;
      const other = files.get(path);
      if (other && other.sha256 !== sha256) throw new SnapshotConflictError(path, formatItemRef(other.ref), formatItemRef(item.ref));
      files.set(path, { path, sha256, size: item.size, ref: item.ref });
      for (const aliasDir of aliasDirs(item)) aliases.push({ path: `${aliasDir}/${name}`, sha256, size: item.size, ref: item.ref });
    }
  }
  // The generic and rolling copies never displace an image's own directory (MAAS lets the last link win).
  for (const alias of aliases) if (!files.has(alias.path)) files.set(alias.path, alias);
  return {
    files: [...files.values()].sort((a, b) => compare(a.path, b.path)),
    archives: archives.sort((a, b) => compare(a.dir, b.dir) || compare(a.ref.item, b.ref.item)),
  };
}

/** Every distinct blob a plan needs, with its size. */
export function planBlobs(plan: SnapshotPlan): Map<string, number> {
  const blobs = new Map<string, number>();
  for (const entry of [...plan.files, ...plan.archives]) blobs.set(entry.sha256, entry.size);
  return blobs;
}

/** Every image version a plan lays out: what a rack that published it holds. */
export function planImages(plan: SnapshotPlan): HeldImage[] {
  const images = new Map<string, HeldImage>();
  for (const { ref } of [...plan.files, ...plan.archives]) images.set(`${ref.product}\n${ref.version}`, { product: ref.product, version: ref.version });
  return [...images.values()];
}

function targetDir(item: ProductItem): string {
  const field = (name: string): string => {
    const value = item.fields[name];
    if (value === undefined || value === '') throw new SnapshotPlanError(formatItemRef(item.ref), name, 'is missing');
    return safeSegment(item, name, String(value));
  };
  if (item.ftype === BOOTLOADER_FTYPE || item.fields['bootloader-type'] !== undefined) {
    return `bootloader/${field('bootloader-type')}/${field('arch')}`;
  }
  return [field('os'), field('arch'), imageSubarch(item), field('release'), field('label')].join('/');
}

/** The image's subarch as MAAS names its directory; MAAS lays an item without one out under `generic`. */
function imageSubarch(item: ProductItem): string {
  const subarch = item.fields.subarch;
  if (subarch === undefined || subarch === '') return 'generic';
  return subarchWithFlavor(safeSegment(item, 'subarch', String(subarch)), item.fields.kflavor);
}

/** The other directories MAAS links an image's items into (`generic`, `hwe-rolling`). */
function aliasDirs(item: ProductItem): string[] {
  if (item.fields['bootloader-type'] !== undefined) return [];
  const own = imageSubarch(item);
  const segment = (name: string): string => safeSegment(item, name, String(item.fields[name]));
  return linkedSubarches(item.fields, item.fields.subarch === undefined ? undefined : own)
    .filter((s) => s !== own)
    .map((s) => [segment('os'), segment('arch'), safeSegment(item, 'subarch', s), segment('release'), segment('label')].join('/'));
}

/** MAAS puts a non-generic kernel flavour into the subarch, before any `-edge`: `hwe-24.04-lowlatency-edge`. */
function subarchWithFlavor(subarch: string, kflavor: unknown): string {
  if (typeof kflavor !== 'string' || kflavor === '' || kflavor === 'generic' || subarch.includes(`-${kflavor}`)) return subarch;
  return subarch.endsWith('-edge') ? `${subarch.slice(0, -'-edge'.length)}-${kflavor}-edge` : `${subarch}-${kflavor}`;
}

function safeSegment(item: ProductItem, field: string, value: string): string {
  // A segment becomes a directory name: nothing that could climb out, hide, or split it.
  if (value === '.' || value === '..' || value.startsWith('.') || /[/\\\0]/.test(value)) {
    throw new SnapshotPlanError(formatItemRef(item.ref), field, `${JSON.stringify(value)} is not a safe path segment`);
  }
  return value;
}

function requireSha256(item: ProductItem): string {
  const sha256 = item.checksums.sha256;
  if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256)) throw new SnapshotPlanError(formatItemRef(item.ref), 'sha256', 'is missing or malformed');
  return sha256;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
