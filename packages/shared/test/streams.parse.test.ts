import { describe, expect, it } from 'vitest';
import {
  ContentIdMismatchError,
  parseIndex,
  parseProducts,
  sortVersionNames,
  StreamFormatError,
  UnsafePathError,
} from '@bootsync/shared/streams';

const FILE = 'streams/v1/test.json';
const SHA = 'a'.repeat(64);

/** A one-item products document; `item` overrides or removes (undefined) fields of the item. */
function products(item: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  const base: Record<string, unknown> = { ftype: 'squashfs', path: 'noble/amd64/20250618/squashfs', sha256: SHA, size: 10 };
  for (const [k, v] of Object.entries(item)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return JSON.stringify({
    content_id: 'c:1',
    datatype: 'image-ids',
    format: 'products:1.0',
    products: { 'p:1': { arch: 'amd64', versions: { '20250618': { items: { squashfs: base } } } } },
    ...extra,
  });
}

describe('parseProducts refuses what cannot be downloaded safely, naming the file and the item', () => {
  it.each([
    ['ftype', { ftype: undefined }, 'missing "ftype"'],
    ['path', { path: undefined }, 'missing "path"'],
    ['size', { size: undefined }, 'missing "size"'],
    ['a non-integer size', { size: '10' }, '"size" must be a non-negative integer, not "10"'],
    ['any checksum', { sha256: undefined }, 'missing checksum (md5, sha256 or sha512)'],
    ['a well-formed sha256', { sha256: 'xyz' }, '"sha256" must be 64 hex digits'],
  ])('missing or bad %s', (_what, item, reason) => {
    const err = catchError(() => parseProducts(products(item), FILE));
    expect(err).toBeInstanceOf(StreamFormatError);
    expect(err).toMatchObject({ code: 'SS_ERR_FORMAT', file: FILE, reason, item: { product: 'p:1', version: '20250618', item: 'squashfs' } });
    expect((err as Error).message).toContain(`${FILE}: c:1/p:1/20250618/squashfs`);
  });

  it.each([
    ['/etc/passwd', 'absolute'],
    ['http://evil.example/x', 'has a scheme'],
    ['file:///etc/passwd', 'has a scheme'],
    ['noble/../../etc/passwd', 'has a .. segment'],
    ['..', 'has a .. segment'],
    ['noble\\..\\x', 'contains a backslash'],
    ['noble/a\0b', 'contains NUL'],
  ])('unsafe path %j', (path, reason) => {
    const err = catchError(() => parseProducts(products({ path }), FILE));
    expect(err).toBeInstanceOf(UnsafePathError);
    expect(err).toMatchObject({ code: 'SS_ERR_UNSAFE_PATH', file: FILE, path, reason, item: { item: 'squashfs' } });
  });

  it('accepts colons in paths, as content ids put them there', () => {
    const catalog = parseProducts(products({ path: 'streams/v1/com.ubuntu.maas:stable:v3:download.json' }), FILE);
    expect(catalog.items[0]?.path).toBe('streams/v1/com.ubuntu.maas:stable:v3:download.json');
  });

  it('refuses malformed JSON and a non-object document', () => {
    expect(catchError(() => parseProducts('{"content_id": ', FILE))).toMatchObject({ code: 'SS_ERR_FORMAT', file: FILE });
    expect((catchError(() => parseProducts('{"content_id": ', FILE)) as Error).message).toMatch(/malformed JSON/);
    expect(catchError(() => parseProducts('[1]', FILE))).toMatchObject({ reason: 'not a JSON object' });
  });

  it('refuses a content_id other than the index entry says', () => {
    const err = catchError(() => parseProducts(products(), FILE, 'c:2'));
    expect(err).toBeInstanceOf(ContentIdMismatchError);
    expect(err).toMatchObject({ code: 'SS_ERR_CONTENT_ID', file: FILE, expected: 'c:2', actual: 'c:1' });
  });

  it('refuses another format', () => {
    expect(catchError(() => parseProducts(products({}, { format: 'index:1.0' }), FILE))).toBeInstanceOf(StreamFormatError);
  });
});

describe('inheritance', () => {
  it('layers top level, product, version and item, lower levels winning, checksums and size included', () => {
    const doc = {
      content_id: 'c:1',
      format: 'products:1.0',
      datatype: 'image-downloads',
      label: 'top',
      size: 1,
      products: {
        'p:1': {
          label: 'product',
          os: 'ubuntu',
          sha256: SHA,
          nested: { ignored: true },
          versions: {
            v1: { label: 'version', pubname: 'pub', items: { a: { ftype: 'root.tar.xz', path: 'a' }, b: { ftype: 'f', path: 'b', label: 'item', size: 7 } } },
          },
        },
      },
    };
    const { items, datatype } = parseProducts(JSON.stringify(doc), FILE);
    expect(datatype).toBe('image-downloads');
    expect(items.map((i) => [i.ref.item, i.fields.label, i.size, i.checksums.sha256, i.fields.os, i.fields.pubname])).toEqual([
      ['a', 'version', 1, SHA, 'ubuntu', 'pub'],
      ['b', 'item', 7, SHA, 'ubuntu', 'pub'],
    ]);
    expect(items[0]?.fields).not.toHaveProperty('nested');
    expect(items[0]?.fields).toMatchObject({ product_name: 'p:1', version_name: 'v1', item_name: 'a', datatype: 'image-downloads' });
  });

  it('expands _aliases into the objects that carry the aliased value, overriding their fields', () => {
    const doc = {
      content_id: 'c:1',
      format: 'products:1.0',
      _aliases: { crsn: { 'us-east-1': { endpoint: 'https://ec2.us-east-1.amazonaws.com', region: 'us-east-1' } } },
      products: {
        'p:1': {
          region: 'overridden',
          crsn: 'us-east-1',
          versions: { v1: { items: { a: { ftype: 'f', path: 'a', md5: 'b'.repeat(32), size: 1 } } } },
        },
      },
    };
    const [item] = parseProducts(JSON.stringify(doc), FILE).items;
    expect(item?.fields).toMatchObject({ crsn: 'us-east-1', endpoint: 'https://ec2.us-east-1.amazonaws.com', region: 'us-east-1' });
    expect(item?.fields).not.toHaveProperty('_aliases');
    expect(item?.checksums).toEqual({ md5: 'b'.repeat(32) });
  });

  it('refuses an aliased value that _aliases does not define', () => {
    const doc = JSON.parse(products({}, { _aliases: { arch: { arm64: { x: 1 } } } })) as object;
    expect(() => parseProducts(JSON.stringify(doc), FILE)).toThrow(/"_aliases" has no entry for arch="amd64"/);
  });

  it('keeps every checksum given, the strongest one being the one to check', () => {
    const [item] = parseProducts(products({ md5: 'c'.repeat(32), sha512: 'D'.repeat(128) }), FILE).items;
    expect(item?.checksums).toEqual({ md5: 'c'.repeat(32), sha256: SHA, sha512: 'd'.repeat(128) });
  });
});

describe('version order', () => {
  it('is a C-locale byte sort, newest last', () => {
    expect(sortVersionNames(['20250618', '20240128_01', '20250618.1', '20240128', '20250101'])).toEqual([
      '20240128',
      '20240128_01',
      '20250101',
      '20250618',
      '20250618.1',
    ]);
  });

  it('orders items by product, then version, then item', () => {
    const item = { ftype: 'f', path: 'x', sha256: SHA, size: 1 };
    const doc = {
      content_id: 'c',
      products: {
        b: { versions: { '2': { items: { z: item, a: item } }, '10': { items: { a: item } } } },
        a: { versions: { '1': { items: { a: item } } } },
      },
    };
    expect(parseProducts(JSON.stringify(doc), FILE).items.map((i) => `${i.ref.product} ${i.ref.version} ${i.ref.item}`)).toEqual([
      'a 1 a',
      'b 10 a',
      'b 2 a',
      'b 2 z',
    ]);
  });
});

describe('parseIndex', () => {
  it('reads entries of both datatypes, ignoring extra keys', () => {
    const index = parseIndex(
      JSON.stringify({
        format: 'index:1.0',
        updated: 'Thu, 24 Jul 2025 08:01:49 +0000',
        index: {
          'com.ubuntu.cloud:released:download': { datatype: 'image-downloads', format: 'products:1.0', path: 'streams/v1/com.ubuntu.cloud:released:download.json', products: ['p'], clouds: [{ region: 'x' }] },
          'com.ubuntu.maas:stable:v3:download': { datatype: 'image-ids', format: 'products:1.0', path: 'streams/v1/com.ubuntu.maas:stable:v3:download.sjson', products: [] },
        },
      }),
      'index.json',
    );
    expect(index.entries.map((e) => [e.contentId, e.datatype, e.path])).toEqual([
      ['com.ubuntu.cloud:released:download', 'image-downloads', 'streams/v1/com.ubuntu.cloud:released:download.json'],
      ['com.ubuntu.maas:stable:v3:download', 'image-ids', 'streams/v1/com.ubuntu.maas:stable:v3:download.sjson'],
    ]);
  });

  it('refuses an entry path that leaves the mirror and a document that is not an index', () => {
    const entry = (path: string) => JSON.stringify({ format: 'index:1.0', index: { c: { format: 'products:1.0', path } } });
    expect(catchError(() => parseIndex(entry('../x.json'), 'index.json'))).toMatchObject({ code: 'SS_ERR_UNSAFE_PATH', path: '../x.json' });
    expect(catchError(() => parseIndex(entry('https://evil/x.json'), 'index.json'))).toBeInstanceOf(UnsafePathError);
    expect(catchError(() => parseIndex('{"format": "products:1.0"}', 'index.json'))).toMatchObject({ code: 'SS_ERR_FORMAT', file: 'index.json' });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
