import { describe, expect, it } from 'vitest';
import { decodeItemRef, encodeItemRef, formatItemRef } from '@bootsync/shared/streams';

const ref = {
  contentId: 'com.ubuntu.maas:stable:v3:download',
  product: 'com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04',
  version: '20250618',
  item: 'boot-kernel',
};

describe('ItemRef encoding', () => {
  it('has no colon or slash, so BullMQ and file systems accept it', () => {
    const encoded = encodeItemRef(ref);
    expect(encoded).not.toMatch(/[:/]/);
    expect(decodeItemRef(encoded)).toEqual(ref);
  });

  it('keeps refs apart whose parts contain the separator', () => {
    const a = { ...ref, product: 'a~b', version: 'c' };
    const b = { ...ref, product: 'a', version: 'b~c' };
    expect(encodeItemRef(a)).not.toBe(encodeItemRef(b));
    expect(decodeItemRef(encodeItemRef(a))).toEqual(a);
  });

  it('cannot start with a dot, so it never names a hidden or parent directory', () => {
    const dotted = { contentId: '..', product: '.', version: '.x', item: 'y' };
    expect(encodeItemRef(dotted).split('~').every((s) => !s.startsWith('.'))).toBe(true);
    expect(decodeItemRef(encodeItemRef(dotted))).toEqual(dotted);
  });

  it('reads as content_id/product/version/item for people', () => {
    expect(formatItemRef(ref)).toBe(
      'com.ubuntu.maas:stable:v3:download/com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04/20250618/boot-kernel',
    );
  });
});
