import { describe, expect, it } from 'vitest';
import { parseItemFilters, selectItems, type ItemRef, type ProductItem } from '@bootsync/shared/streams';

function item(product: string, version: string, name: string, fields: Record<string, string> = {}, contentId = 'c1'): ProductItem {
  const ref: ItemRef = { contentId, product, version, item: name };
  return {
    ref,
    fields: { product_name: product, version_name: version, item_name: name, ftype: name, ...fields },
    ftype: name,
    path: `${product}/${version}/${name}`,
    size: 1,
    checksums: { sha256: '0'.repeat(64) },
  };
}

const refs = (items: readonly ProductItem[]): string[] => items.map((i) => `${i.ref.contentId} ${i.ref.product} ${i.ref.version} ${i.ref.item}`);

describe('selectItems: filters, then the newest --max versions of each product', () => {
  const items = [
    item('p1', '20250101', 'kernel', { arch: 'amd64' }),
    item('p1', '20250101', 'squashfs', { arch: 'amd64' }),
    item('p1', '20250201', 'kernel', { arch: 'amd64' }),
    item('p1', '20250301', 'squashfs', { arch: 'amd64' }),
    item('p1', '20250301.1', 'kernel', { arch: 'amd64' }),
    item('p2', '20240101', 'kernel', { arch: 'arm64' }),
    item('p1', '20990101', 'kernel', { arch: 'amd64' }, 'c2'),
  ];

  it('keeps every version without --max, in the given order', () => {
    expect(refs(selectItems(items, { filters: parseItemFilters(['arch=amd64']) }))).toEqual(refs(items.filter((i) => i.fields.arch === 'amd64')));
  });

  it('keeps the newest N versions of each product, newest by byte order (20250301.1 after 20250301)', () => {
    expect(refs(selectItems(items, { filters: [], max: 2 }))).toEqual([
      'c1 p1 20250301 squashfs',
      'c1 p1 20250301.1 kernel',
      'c1 p2 20240101 kernel',
      'c2 p1 20990101 kernel',
    ]);
  });

  it('counts only versions that still have items after the filters, as simplestreams does', () => {
    // Versions 20250301.1 and 20250201 hold no squashfs: the newest version with one is 20250301.
    expect(refs(selectItems(items, { filters: parseItemFilters(['ftype=squashfs']), max: 1 }))).toEqual(['c1 p1 20250301 squashfs']);
  });
});
