import { describe, expect, it } from 'vitest';
import {
  buildIndexDocument,
  buildProductsDocument,
  formatStreamDate,
  indexEntryFor,
  parseIndex,
  parseProducts,
  serializeStreamDocument,
  type ProductsDocumentInput,
} from '@bootsync/shared/streams';

const SHA = 'f'.repeat(64);
const input: ProductsDocumentInput = {
  contentId: 'com.ubuntu.maas:stable:v3:download',
  updated: new Date('2025-07-24T08:01:49Z'),
  products: {
    'com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04': {
      fields: { os: 'ubuntu', arch: 'amd64', release: 'noble', release_title: '24.04 LTS — Noble' },
      versions: {
        '20250618': {
          items: {
            squashfs: { ftype: 'squashfs', path: 'noble/amd64/20250618/squashfs', sha256: SHA, size: 3 },
            'boot-kernel': { ftype: 'boot-kernel', path: 'noble/amd64/20250618/ga-24.04/generic/boot-kernel', sha256: SHA, size: 2, kpackage: 'linux-generic' },
          },
        },
      },
    },
  },
};

describe('stream writer', () => {
  it('writes RFC 2822 UTC dates as streams do', () => {
    expect(formatStreamDate(new Date('2025-07-24T08:01:49Z'))).toBe('Thu, 24 Jul 2025 08:01:49 +0000');
    expect(formatStreamDate(new Date('2024-02-29T23:05:00.900Z'))).toBe('Thu, 29 Feb 2024 23:05:00 +0000');
  });

  it('serializes like meph2: indent 1, sorted keys, non-ASCII escaped, trailing newline', () => {
    const text = serializeStreamDocument(buildProductsDocument(input));
    expect(text.split('\n').slice(0, 6)).toEqual([
      '{',
      ' "content_id": "com.ubuntu.maas:stable:v3:download",',
      ' "datatype": "image-ids",',
      ' "format": "products:1.0",',
      ' "products": {',
      '  "com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04": {',
    ]);
    expect(text).toContain('"release_title": "24.04 LTS \\u2014 Noble"');
    expect(text.indexOf('"boot-kernel"')).toBeLessThan(text.indexOf('"squashfs"'));
    expect(text.endsWith('"updated": "Thu, 24 Jul 2025 08:01:49 +0000"\n}\n')).toBe(true);
  });

  it('writes documents the reader reads back to the same items and index', () => {
    const products = parseProducts(serializeStreamDocument(buildProductsDocument(input)), 'p.json', input.contentId);
    expect(products.items.map((i) => [i.ref.item, i.path, i.size, i.fields.release_title, i.fields.kpackage])).toEqual([
      ['boot-kernel', 'noble/amd64/20250618/ga-24.04/generic/boot-kernel', 2, '24.04 LTS — Noble', 'linux-generic'],
      ['squashfs', 'noble/amd64/20250618/squashfs', 3, '24.04 LTS — Noble', undefined],
    ]);
    const path = `streams/v1/${input.contentId}.json`;
    const index = parseIndex(serializeStreamDocument(buildIndexDocument([indexEntryFor(input, path)], input.updated)), 'index.json');
    expect(index).toEqual({
      updated: 'Thu, 24 Jul 2025 08:01:49 +0000',
      entries: [
        {
          contentId: input.contentId,
          datatype: 'image-ids',
          format: 'products:1.0',
          path,
          products: ['com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04'],
          updated: 'Thu, 24 Jul 2025 08:01:49 +0000',
        },
      ],
    });
  });
});
