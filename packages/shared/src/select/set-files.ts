import type { ProductItem } from '../streams/types.js';
import type { BootImage } from './boot-image.js';

/** Root images an "other" OS may ship, preferred first (MAAS BootResourceFile filetypes). */
const ROOT_FTYPES = ['squashfs', 'root-tgz', 'root-tbz', 'root-txz', 'root-dd'] as const;

/**
 * The items of one product version that make up a MAAS resource set, or `undefined` when a required file is
 * missing (such a version cannot boot, so it is not offered). Items of other ftypes (di-kernel, notifications...)
 * are left out, as MAAS skips unknown ftypes.
 *
 * - Ubuntu: boot-kernel, boot-initrd, manifest, and squashfs (root-image.gz only when there is no squashfs);
 *   boot-dtb when present.
 * - CentOS: root-tgz; its manifest when present.
 * - Bootloaders: every archive.tar.xz (at least one).
 * - Other OSes: one root image (squashfs, root-tgz, root-tbz, root-txz or root-dd*); kernel, initrd, dtb and
 *   manifest when present.
 */
export function setFiles(image: BootImage, items: readonly ProductItem[]): ProductItem[] | undefined {
  const first = (ftype: string): ProductItem | undefined => items.find((i) => i.ftype === ftype);
  const optional = (...ftypes: string[]): ProductItem[] => ftypes.flatMap((f) => first(f) ?? []);
  switch (image.kind) {
    case 'ubuntu': {
      const root = first('squashfs') ?? first('root-image.gz');
      const required = [first('boot-kernel'), first('boot-initrd'), first('manifest'), root];
      return allPresent(required) ? [...required, ...optional('boot-dtb')] : undefined;
    }
    case 'centos': {
      const root = first('root-tgz');
      return root ? [root, ...optional('manifest')] : undefined;
    }
    case 'bootloader': {
      const archives = items.filter((i) => i.ftype === 'archive.tar.xz');
      return archives.length > 0 ? archives : undefined;
    }
    case 'other': {
      const root = ROOT_FTYPES.map((f) => items.find((i) => i.ftype === f || i.ftype.startsWith(`${f}.`)))
        .find((i) => i !== undefined);
      return root ? [root, ...optional('boot-kernel', 'boot-initrd', 'boot-dtb', 'manifest')] : undefined;
    }
  }
}

function allPresent(items: readonly (ProductItem | undefined)[]): items is ProductItem[] {
  return items.every((i) => i !== undefined);
}
