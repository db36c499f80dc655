import { beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError, type NewBootSource } from '@bootsync/region/db';
import type { ProductItem } from '@bootsync/shared/streams';
import { maasFormErrors } from '@bootsync/region/api';
import { useTempRegionDb } from './db-harness.js';

const KEYRING = '/usr/share/keyrings/ubuntu-cloudimage-keyring.gpg';

async function fieldsOf(fn: () => Promise<unknown>): Promise<Readonly<Record<string, readonly string[]>>> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ValidationError) return maasFormErrors(err);
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('boot sources', () => {
  const db = useTempRegionDb();

  it('applies MAAS model defaults: url without trailing slash, name = url, priority = max + 1, .json skips verification', async () => {
    const a = await db().bootSources.create({ url: 'http://images.maas.io/ephemeral-v3/stable/', keyringFilename: KEYRING });
    expect(a).toMatchObject({
      url: 'http://images.maas.io/ephemeral-v3/stable',
      name: 'http://images.maas.io/ephemeral-v3/stable',
      priority: 1,
      enabled: true,
      keyringFilename: KEYRING,
      keyringData: null,
      skipKeyringVerification: false,
    });
    expect(a.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const b = await db().bootSources.create({ url: 'http://mirror.example/streams/v1/index.json', priority: 10 });
    expect(b.skipKeyringVerification).toBe(true);
    const c = await db().bootSources.create({ url: 'https://other.example/', keyringData: new Uint8Array([1, 2, 3]) });
    expect(c.priority).toBe(11);
    expect(c.keyringData).toEqual(new Uint8Array([1, 2, 3]));
    expect((await db().bootSources.list()).map((s) => s.priority)).toEqual([11, 10, 1]);
  });

  it('gives sources created at once priorities one after the other, and refuses the second of one URL', async () => {
    const urls = ['http://one.example/', 'http://two.example/', 'http://three.example/'];
    const created = await Promise.all(urls.map((url) => db().bootSources.create({ url, keyringFilename: KEYRING })));
    expect(created.map((s) => s.priority).sort()).toEqual([1, 2, 3]);
    const same = await Promise.allSettled([1, 2].map(() => db().bootSources.create({ url: 'http://same.example/', keyringFilename: KEYRING })));
    expect(same.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(same.find((r) => r.status === 'rejected')?.reason).toBeInstanceOf(ValidationError);
    expect(await db().bootSources.count()).toBe(4);
  });

  it.each<{ name: string; input: NewBootSource; fields: Record<string, string[]> }>([
    {
      name: 'no keyring',
      input: { url: 'http://x.example/' },
      fields: { __all__: ['One of keyring_data or keyring_filename must be specified.'] },
    },
    {
      name: 'both keyrings',
      input: { url: 'http://x.example/', keyringFilename: KEYRING, keyringData: new Uint8Array([1]) },
      fields: { __all__: ['Only one of keyring_filename or keyring_data can be specified.'] },
    },
    { name: 'not a URL', input: { url: 'not a url', keyringFilename: KEYRING }, fields: { url: ['Enter a valid URL.'] } },
    {
      name: 'an ftp URL (Django takes it; bootsync reads no ftp mirror)',
      input: { url: 'ftp://x.example/', keyringFilename: KEYRING },
      fields: { url: ['bootsync reads mirrors over http, https or file:// only, not ftp.'] },
    },
    { name: 'a negative priority', input: { url: 'http://x.example/', priority: -1, keyringFilename: KEYRING }, fields: { priority: ['Ensure this value is greater than or equal to 0.'] } },
    {
      name: 'a name of 256 characters',
      input: { url: 'http://x.example/', name: 'n'.repeat(256), keyringFilename: KEYRING },
      fields: { name: ['Ensure this value has at most 255 characters (it has 256).'] },
    },
  ])('refuses $name with MAAS form errors', async ({ input, fields }) => {
    expect(await fieldsOf(() => db().bootSources.create(input))).toEqual(fields);
    expect(await db().bootSources.count()).toBe(0);
  });

  it('accepts no keyring when verification is skipped', async () => {
    expect((await db().bootSources.create({ url: 'http://x.example/', skipKeyringVerification: true })).keyringFilename).toBe('');
  });

  it('refuses a second source with the same URL, trailing slash or not (and so the same default name)', async () => {
    await db().bootSources.create({ url: 'http://x.example/a/', keyringFilename: KEYRING });
    expect(await fieldsOf(() => db().bootSources.create({ url: 'http://x.example/a', keyringFilename: KEYRING }))).toEqual({
      name: ['Boot source with this Name already exists.'],
      url: ['Boot source with this Url already exists.'],
    });
  });

  it('keeps a source editable when an older database holds its priority twice, and refuses a new clash', async () => {
    const a = await db().bootSources.create({ url: 'http://a.example/', keyringFilename: KEYRING, priority: 5 });
    const b = await db().bootSources.create({ url: 'http://b.example/', keyringFilename: KEYRING, priority: 6 });
    // Written before priorities were unique.
    await db().db.kysely.updateTable('boot_sources').set({ priority: 5 }).where('id', '=', b.id).execute();
    expect(await db().bootSources.update(b.id, { name: 'renamed', enabled: false })).toMatchObject({ name: 'renamed', priority: 5 });
    expect((await db().bootSources.list()).map((s) => s.id)).toEqual([a.id, b.id]);
    expect(await fieldsOf(() => db().bootSources.update(b.id, { priority: 6, name: 'http://a.example' }))).toEqual({ name: ['Boot source with this Name already exists.'] });
    const c = await db().bootSources.create({ url: 'http://c.example/', keyringFilename: KEYRING, priority: 7 });
    expect(await fieldsOf(() => db().bootSources.update(c.id, { priority: 5 }))).toEqual({ priority: ['A boot source with the same priority already exists.'] });
  });

  it('names a source by its URL when the name is blank, on create and on update, as MAAS does', async () => {
    const s = await db().bootSources.create({ url: 'http://x.example/', name: ' ', keyringFilename: KEYRING });
    expect(s.name).toBe('http://x.example');
    expect((await db().bootSources.update(s.id, { name: 'mirror' })).name).toBe('mirror');
    expect((await db().bootSources.update(s.id, { name: '', url: 'http://y.example/' })).name).toBe('http://y.example');
  });

  it('updates fields, validates the result and keeps the rest', async () => {
    const s = await db().bootSources.create({ url: 'http://x.example/', keyringFilename: KEYRING });
    const u = await db().bootSources.update(s.id, { keyringFilename: '', keyringData: new Uint8Array([7]), enabled: false });
    expect(u).toMatchObject({ url: s.url, keyringFilename: '', keyringData: new Uint8Array([7]), enabled: false });
    expect(await fieldsOf(() => db().bootSources.update(s.id, { keyringData: null }))).toHaveProperty('__all__');
    expect((await db().bootSources.get(s.id)).keyringData).toEqual(new Uint8Array([7]));
  });

  it('answers NotFoundError for a missing source', async () => {
    await expect(db().bootSources.get(42)).rejects.toThrow(NotFoundError);
    await expect(db().bootSources.update(42, { name: 'x' })).rejects.toThrow(NotFoundError);
    await expect(db().bootSources.delete(42)).rejects.toThrow(NotFoundError);
  });
});

describe('selections', () => {
  const db = useTempRegionDb();
  let sourceId: number;
  beforeEach(async () => {
    sourceId = (await db().bootSources.create({ url: 'http://x.example/', keyringFilename: KEYRING })).id;
  });

  it('stores arches, subarches and labels as lists, defaulting to *', async () => {
    const sel = await db().selections.create(sourceId, { os: 'ubuntu', release: 'noble', arches: ['amd64', 'arm64'] });
    expect(sel).toEqual({ id: sel.id, bootSourceId: sourceId, os: 'ubuntu', release: 'noble', arches: ['amd64', 'arm64'], subarches: ['*'], labels: ['*'] });
    expect(await db().selections.listForSource(sourceId)).toEqual([sel]);
    expect((await db().selections.update(sourceId, sel.id, { labels: ['stable'] })).labels).toEqual(['stable']);
  });

  it('refuses a second selection of the same os/release on one source', async () => {
    await db().selections.create(sourceId, { os: 'ubuntu', release: 'noble' });
    expect(await fieldsOf(() => db().selections.create(sourceId, { os: 'ubuntu', release: 'noble' }))).toEqual({
      __all__: ['Boot source selection with this Boot source, Os and Release already exists.'],
    });
  });

  it.each([
    { input: { os: '', release: 'noble' }, field: 'os' },
    { input: { os: 'ubuntu', release: 'noble', arches: [] }, field: 'arches' },
    { input: { os: 'ubuntu', release: 'noble', labels: [''] }, field: 'labels' },
  ])('refuses an empty $field', async ({ input, field }) => {
    expect(Object.keys(await fieldsOf(() => db().selections.create(sourceId, input)))).toEqual([field]);
  });

  it('is deleted with its source, and answers NotFound through another source', async () => {
    const sel = await db().selections.create(sourceId, { os: 'ubuntu', release: 'noble' });
    const other = await db().bootSources.create({ url: 'http://y.example/', keyringFilename: KEYRING });
    await expect(db().selections.get(other.id, sel.id)).rejects.toThrow(NotFoundError);
    await db().bootSources.delete(sourceId);
    expect(await db().selections.listAll()).toEqual([]);
    await expect(db().selections.listForSource(sourceId)).rejects.toThrow(NotFoundError);
  });

  it('bumps the generation on every change to sources or selections, and only then', async () => {
    const g0 = await db().bootSources.generation();
    const sel = await db().selections.create(sourceId, { os: 'ubuntu', release: 'noble' });
    const g1 = await db().bootSources.generation();
    expect(g1).toBeGreaterThan(g0);
    await db().sourceCache.replace(sourceId, []);
    await db().importRuns.start();
    expect(await db().bootSources.generation()).toBe(g1);
    await db().selections.delete(sourceId, sel.id);
    const g2 = await db().bootSources.generation();
    expect(g2).toBeGreaterThan(g1);
    await db().bootSources.update(sourceId, { enabled: false });
    expect(await db().bootSources.generation()).toBeGreaterThan(g2);
  });

  it('lists enabled sources with their selections, highest priority first, with the generation read', async () => {
    await db().selections.create(sourceId, { os: 'ubuntu', release: 'noble' });
    const high = await db().bootSources.create({ url: 'http://high.example/', keyringFilename: KEYRING, priority: 50 });
    await db().bootSources.create({ url: 'http://off.example/', keyringFilename: KEYRING, enabled: false, priority: 99 });
    const { generation, sources } = await db().selections.enabledSourcesWithSelections();
    expect(generation).toBe(await db().bootSources.generation());
    expect(sources.map((s) => [s.url, s.selections.map((x) => x.release)])).toEqual([
      [high.url, []],
      ['http://x.example', ['noble']],
    ]);
  });
});

describe('source cache', () => {
  const db = useTempRegionDb();

  const item: ProductItem = {
    ref: { contentId: 'com.ubuntu.maas:stable:v3:download', product: 'com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04', version: '20240101', item: 'squashfs' },
    fields: { os: 'ubuntu', release: 'noble', size: 10 },
    ftype: 'squashfs',
    path: 'noble/amd64/20240101/squashfs',
    size: 10,
    checksums: { sha256: 'a'.repeat(64) },
  };
  const entry = (release: string) => ({
    os: 'ubuntu', release, arch: 'amd64', subarch: 'ga-24.04', kflavor: 'generic', label: 'stable', releaseTitle: '24.04 LTS',
    releaseCodename: 'Noble Numbat', supportEol: '2029-05-31', bootloaderType: '', productName: item.ref.product,
    versionName: '20240101', items: [item], extra: { subarches: 'generic,ga-24.04' },
  });

  it('replaces what a source offers wholesale and keeps items intact', async () => {
    const s = await db().bootSources.create({ url: 'http://x.example/', keyringFilename: KEYRING });
    await db().sourceCache.replace(s.id, [entry('noble'), entry('jammy')]);
    await db().sourceCache.replace(s.id, [entry('noble')]);
    const cached = await db().sourceCache.list(s.id);
    expect(cached.map((c) => c.release)).toEqual(['noble']);
    expect(cached[0]?.items).toEqual([item]);
    expect(cached[0]?.extra).toEqual({ subarches: 'generic,ga-24.04' });
    expect(await db().sourceCache.offers(s.id, 'ubuntu', 'noble')).toBe(true);
    expect(await db().sourceCache.offers(s.id, 'ubuntu', 'jammy')).toBe(false);
  });

  it('lists all sources highest priority first and forgets a deleted source', async () => {
    const low = await db().bootSources.create({ url: 'http://low.example/', keyringFilename: KEYRING, priority: 1 });
    const high = await db().bootSources.create({ url: 'http://high.example/', keyringFilename: KEYRING, priority: 9 });
    await db().sourceCache.replace(low.id, [entry('jammy')]);
    await db().sourceCache.replace(high.id, [entry('noble')]);
    expect((await db().sourceCache.list()).map((c) => [c.bootSourceId, c.release])).toEqual([
      [high.id, 'noble'],
      [low.id, 'jammy'],
    ]);
    await db().bootSources.delete(high.id);
    expect((await db().sourceCache.list()).map((c) => c.bootSourceId)).toEqual([low.id]);
  });
});
