import { describe, expect, it } from 'vitest';
import { REGION_CONFIG_DEFAULTS, type RegionConfig } from '@bootsync/region/db';
import { importProxy, proxyFor } from '@bootsync/region/import';

const config = (patch: Partial<RegionConfig>): RegionConfig => ({
  ...REGION_CONFIG_DEFAULTS,
  http_proxy: 'http://proxy.example:3128/',
  enable_http_proxy: true,
  boot_images_no_proxy: false,
  ...patch,
});

const SOURCES = ['http://mirror.lan/ephemeral-v3/stable/', 'http://images.maas.io/ephemeral-v3/stable'];

describe('the proxy an import uses, per request (MAAS semantics)', () => {
  it.each<[string, Partial<RegionConfig>, string, string | undefined]>([
    ['proxy enabled', {}, 'http://images.maas.io/ephemeral-v3/stable/streams/v1/index.sjson', 'http://proxy.example:3128/'],
    ['proxy disabled', { enable_http_proxy: false }, 'http://images.maas.io/x', undefined],
    ['proxy enabled but empty', { http_proxy: '  ' }, 'http://images.maas.io/x', undefined],
    ['no_proxy for sources: a source host goes direct', { boot_images_no_proxy: true }, 'http://mirror.lan/noble/squashfs', undefined],
    ['no_proxy for sources: the other source too', { boot_images_no_proxy: true }, 'http://images.maas.io/x', undefined],
    ['no_proxy for sources: another host still proxied', { boot_images_no_proxy: true }, 'http://elsewhere.example/x', 'http://proxy.example:3128/'],
  ])('%s', (_name, patch, url, expected) => {
    expect(proxyFor(importProxy(config(patch), SOURCES), url)).toBe(expected);
  });

  it('lists the source hosts as no_proxy only when boot_images_no_proxy is set', () => {
    expect(importProxy(config({ boot_images_no_proxy: true }), SOURCES).noProxy).toEqual(['mirror.lan', 'images.maas.io']);
    expect(importProxy(config({}), SOURCES).noProxy).toEqual([]);
  });
});
