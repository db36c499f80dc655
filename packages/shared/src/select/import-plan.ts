import { compareBytes } from '../streams/byte-order.js';
import { formatItemRef } from '../streams/item-ref.js';
import type { ItemRef } from '../streams/item-ref.js';
import type { Checksums, ProductItem } from '../streams/types.js';
import { imageKey, type BootImage, type ImageFacts, type ImageIdentity } from './boot-image.js';
import { newestSets } from './offered-sets.js';
import { isImageWanted, type Selection } from './selection.js';

/** One boot source as the import reads it. */
export interface ImportSource {
  /** The region's id of the source; carried into the plan so files are fetched from the right mirror. */
  readonly sourceId: number;
  /** Every item the source's products files list (after inheritance). */
  readonly items: readonly ProductItem[];
  /** The source's selections; allow-listed bootloaders are wanted regardless. */
  readonly selections: readonly Selection[];
}

/** An image the region holds, with what matching needs; a BootImage qualifies as is. */
export interface HeldImage extends ImageFacts {
  readonly identity: ImageIdentity;
}

/** A resource set the region holds. */
export interface HeldSet {
  readonly image: HeldImage;
  readonly version: string;
  /** Every file of the set is in the store, verified. */
  readonly complete: boolean;
}

/**
 * The key that makes one file one download: `sha256:<hex>` when the stream gives a sha256, otherwise
 * `sha512:<hex>` or `md5:<hex>` (the store learns the sha256 while downloading).
 */
export type ContentKey = string;

/** Where a file comes from and how it is checked. */
export interface FileOrigin {
  readonly contentKey: ContentKey;
  /** `null` when the stream gives no sha256 (md5/sha512 only): the store computes it on the way in. */
  readonly sha256: string | null;
  /** Every checksum the stream gives; the strongest is the one verified. */
  readonly checksums: Checksums;
  readonly size: number;
  /** The stream item, for logs, errors and job ids. */
  readonly ref: ItemRef;
  /** Relative to the source's mirror root. */
  readonly path: string;
}

/** One file of a wanted set. */
export interface SetFile extends FileOrigin {
  /** MAAS filetype: the stream's ftype ("boot-kernel", "squashfs", "root-tgz", "archive.tar.xz"...). */
  readonly filetype: string;
  /** MAAS filename: the last segment of the stream path ("boot-kernel", "grub2-signed.tar.xz"). */
  readonly filename: string;
  /**
   * What MAAS keeps of the item in BootResourceFile.extra and publishes again in its region stream: `kpackage`,
   * `kparams` and the bootloaders' `src_package`, `src_release`, `src_version`, when the stream gives them.
   */
  readonly extra: Readonly<Record<string, string>>;
}

/** maasserver/bootresources.py get_or_create_boot_resource_file: the item fields a file keeps. */
const FILE_EXTRA_KEYS: readonly string[] = ['kpackage', 'src_package', 'src_release', 'src_version', 'kparams'];

/** A resource set the import wants: the newest complete version of a wanted image, from the winning source. */
export interface WantedSet {
  /** The image (its `identity` is the MAAS resource); the first source in priority order that offers it wins. */
  readonly image: BootImage;
  readonly version: string;
  readonly sourceId: number;
  readonly files: readonly SetFile[];
}

/** A download: each content once, however many sets share it. */
export interface FileToFetch extends FileOrigin {
  /** The source to fetch it from (the first wanted set that needs it). */
  readonly sourceId: number;
}

export interface PlanImportInput {
  /** Highest priority first. */
  readonly sources: readonly ImportSource[];
  /** The sha256 blobs the store holds. */
  readonly storeHas: ReadonlySet<string> | ((sha256: string) => boolean);
  /** The sets the region holds now. */
  readonly held: readonly HeldSet[];
}

export interface ImportPlan {
  /** Sets to create or finish: wanted, and not held complete. */
  readonly wantedSets: readonly WantedSet[];
  /** Files the wanted sets need that the store lacks, each content once. */
  readonly fetch: readonly FileToFetch[];
  /** Wanted sets the region already holds complete: nothing to do for them. */
  readonly alreadyComplete: readonly WantedSet[];
}

/**
 * The region import's one decision: for each wanted image, the newest version from the first source in
 * priority order that offers it, and the files that must be downloaded for it. An image held complete at a newer
 * version than the winning source offers is left as it is (in neither list).
 */
export function planImport(input: PlanImportInput): ImportPlan {
  const storeHas = input.storeHas;
  const inStore = typeof storeHas === 'function' ? storeHas : (sha256: string) => storeHas.has(sha256);
  const newestHeld = newestCompleteVersions(input.held);

  const claimed = new Set<string>();
  const wantedSets: WantedSet[] = [];
  const alreadyComplete: WantedSet[] = [];
  for (const source of input.sources) {
    for (const offered of newestSets(source.items)) {
      const key = imageKey(offered.image.identity);
      if (claimed.has(key) || !isImageWanted(offered.image, source.selections)) continue;
      claimed.add(key);
      const held = newestHeld.get(key);
      // Upstream went back to an older version: importing it would only be dropped again by retention.
      if (held !== undefined && compareBytes(held, offered.version) > 0) continue;
      const set: WantedSet = {
        image: offered.image,
        version: offered.version,
        sourceId: source.sourceId,
        files: offered.items.map(toSetFile),
      };
      (held === offered.version ? alreadyComplete : wantedSets).push(set);
    }
  }

  const fetch: FileToFetch[] = [];
  const listed = new Set<ContentKey>();
  for (const set of wantedSets) {
    for (const file of set.files) {
      if (listed.has(file.contentKey) || (file.sha256 !== null && inStore(file.sha256))) continue;
      listed.add(file.contentKey);
      const { filetype: _filetype, filename: _filename, extra: _extra, ...origin } = file;
      fetch.push({ ...origin, sourceId: set.sourceId });
    }
  }
  return { wantedSets, fetch, alreadyComplete };
}

/** The content key of a stream item (see `ContentKey`). */
export function contentKeyOf(item: Pick<ProductItem, 'checksums' | 'ref'>): ContentKey {
  const { sha256, sha512, md5 } = item.checksums;
  if (sha256) return `sha256:${sha256.toLowerCase()}`;
  if (sha512) return `sha512:${sha512.toLowerCase()}`;
  if (md5) return `md5:${md5.toLowerCase()}`;
  // The stream parser refuses items without a checksum; keep such an item distinct rather than merge it.
  return `item:${formatItemRef(item.ref)}`;
}

function toSetFile(item: ProductItem): SetFile {
  return {
    filetype: item.ftype,
    filename: item.path.slice(item.path.lastIndexOf('/') + 1),
    contentKey: contentKeyOf(item),
    sha256: item.checksums.sha256?.toLowerCase() ?? null,
    checksums: item.checksums,
    size: item.size,
    ref: item.ref,
    path: item.path,
    extra: Object.fromEntries(FILE_EXTRA_KEYS.flatMap((k) => (item.fields[k] === undefined ? [] : [[k, String(item.fields[k])]]))),
  };
}

/** Per image key, the newest version held complete. */
function newestCompleteVersions(held: readonly HeldSet[]): Map<string, string> {
  const newest = new Map<string, string>();
  for (const set of held) {
    if (!set.complete) continue;
    const key = imageKey(set.image.identity);
    const known = newest.get(key);
    if (known === undefined || compareBytes(set.version, known) > 0) newest.set(key, set.version);
  }
  return newest;
}
