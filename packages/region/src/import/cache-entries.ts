import { newestSets, type BootImage } from '@bootsync/shared/select';
import type { ProductItem } from '@bootsync/shared/streams';
import type { SourceCacheEntry } from '../db/index.js';

/** What a source offers, as the region caches it: one entry per image, its newest complete version. */
export function cacheEntries(items: readonly ProductItem[]): SourceCacheEntry[] {
  return newestSets(items).map(({ image, version, items: files }) => {
    const first = files[0];
    return {
      os: image.os,
      release: image.release,
      arch: image.arch,
      subarch: image.subarch,
      kflavor: image.kind === 'ubuntu' ? image.kflavor : '',
      label: image.label,
      releaseTitle: releaseTitle(image),
      releaseCodename: image.kind === 'ubuntu' ? (image.releaseCodename ?? '') : '',
      supportEol: String(first?.fields.support_eol ?? ''),
      bootloaderType: image.kind === 'bootloader' ? image.bootloaderType : '',
      productName: first?.ref.product ?? '',
      versionName: version,
      items: files,
      extra: { subarches: image.subarches.join(','), title: image.title },
    };
  });
}

function releaseTitle(image: BootImage): string {
  return image.kind === 'bootloader' ? '' : (image.releaseTitle ?? '');
}
