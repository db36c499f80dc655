import { describe, expect, it } from 'vitest';
import { NotFoundError, REGION_CONFIG_DEFAULTS, ValidationError, formatApiKey } from '@bootsync/region/db';
import { maasDate } from '@bootsync/region/api';
import { useTempRegionDb } from './db-harness.js';

const sha = (c: string): string => c.repeat(64);

describe('boot resources, sets and files', () => {
  const db = useTempRegionDb();

  it('upserts a resource by (name, architecture)', async () => {
    const a = await db().bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04', extra: { title: '24.04 LTS' } });
    const b = await db().bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04', extra: { title: 'Noble' } });
    expect(b.id).toBe(a.id);
    expect(b.extra).toEqual({ title: 'Noble' });
    await db().bootResources.upsert({ rtype: 'uploaded', name: 'custom/img', architecture: 'amd64/generic' });
    expect((await db().bootResources.list({ rtype: 'synced' })).map((r) => r.name)).toEqual(['ubuntu/noble']);
    expect(await db().bootResources.list()).toHaveLength(2);
  });

  it.each([
    { input: { rtype: 'synced' as const, name: 'noble', architecture: 'amd64/ga-24.04' }, field: 'name' },
    { input: { rtype: 'synced' as const, name: 'ubuntu/noble', architecture: 'amd64' }, field: 'architecture' },
  ])('refuses a malformed $field', async ({ input, field }) => {
    await expect(db().bootResources.upsert(input)).rejects.toThrow(ValidationError);
    try {
      await db().bootResources.upsert(input);
    } catch (err) {
      expect(Object.keys((err as ValidationError).fields)).toEqual([field]);
    }
  });

  it('tracks file progress and completes a set only when every file is verified', async () => {
    const r = await db().bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' });
    const set = await db().resourceSets.create(r.id, {
      version: '20240101',
      label: 'stable',
      files: [
        { filename: 'squashfs', filetype: 'squashfs', sha256: sha('a'), size: 100 },
        { filename: 'boot-kernel', filetype: 'boot-kernel', sha256: sha('b'), size: 50, extra: { kpackage: 'linux-generic' } },
      ],
    });
    expect(set).toMatchObject({ complete: false, size: 150, bytesDone: 0, label: 'stable' });
    const [kernel, squash] = set.files;
    await db().resourceSets.setFileProgress(squash!.id, 100);
    await expect(db().resourceSets.markComplete(set.id)).rejects.toThrow(/boot-kernel/);
    await db().resourceSets.setFileProgress(kernel!.id, 9999);
    const done = await db().resourceSets.markComplete(set.id);
    expect(done).toMatchObject({ complete: true, bytesDone: 150 });
    expect(done.files.find((f) => f.filename === 'boot-kernel')?.extra).toEqual({ kpackage: 'linux-generic' });
  });

  it('lists sets newest first, refuses a duplicate version and reports referenced blobs until deleted', async () => {
    const r = await db().bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' });
    const files = (c: string) => [{ filename: 'squashfs', filetype: 'squashfs', sha256: sha(c), size: 1 }];
    const old = await db().resourceSets.create(r.id, { version: '20240101', label: 'stable', files: files('a') });
    await db().resourceSets.create(r.id, { version: '20240202', label: 'stable', files: files('b') });
    expect((await db().resourceSets.listForResource(r.id)).map((s) => s.version)).toEqual(['20240202', '20240101']);
    await expect(db().resourceSets.create(r.id, { version: '20240101', label: 'stable', files: [] })).rejects.toThrow(ValidationError);
    expect(await db().resourceSets.referencedSha256()).toEqual(new Set([sha('a'), sha('b')]));
    await db().resourceSets.delete(old.id);
    expect(await db().resourceSets.referencedSha256()).toEqual(new Set([sha('b')]));
    await db().bootResources.delete(r.id);
    expect(await db().resourceSets.referencedSha256()).toEqual(new Set());
  });

  it('a damaged blob makes the complete sets holding it damaged and unverified, until they complete again', async () => {
    const ga = await db().bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' });
    const hwe = await db().bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/hwe-24.04' });
    const files = (kernel: string) => [
      { filename: 'squashfs', filetype: 'squashfs', sha256: sha('a'), size: 100, bytesDone: 100 },
      { filename: 'boot-kernel', filetype: 'boot-kernel', sha256: sha(kernel), size: 10, bytesDone: 10 },
    ];
    const a = await db().resourceSets.markComplete((await db().resourceSets.create(ga.id, { version: '1', label: 'stable', files: files('b') })).id);
    const b = await db().resourceSets.markComplete((await db().resourceSets.create(hwe.id, { version: '1', label: 'stable', files: files('c') })).id);
    expect(await db().resourceSets.markBlobDamaged(sha('b'))).toEqual([a.id]);
    expect(await db().resourceSets.get(a.id)).toMatchObject({ complete: false, damaged: true, bytesDone: 100, updated: a.updated });
    expect(await db().resourceSets.get(b.id)).toMatchObject({ complete: true, damaged: false });
    expect(await db().resourceSets.markBlobDamaged(sha('a'))).toEqual([a.id, b.id]);
    expect(await db().resourceSets.get(b.id)).toMatchObject({ complete: false, damaged: true, bytesDone: 10 });
    expect(await db().resourceSets.damagedSha256()).toEqual(new Set([sha('a'), sha('b')]));
    for (const f of (await db().resourceSets.get(a.id)).files) await db().resourceSets.setFileProgress(f.id, f.size);
    expect(await db().resourceSets.markComplete(a.id)).toMatchObject({ complete: true, damaged: false });
    expect(await db().resourceSets.damagedSha256()).toEqual(new Set([sha('a')]));
  });

  it.each([
    { file: { filename: '../etc/passwd', filetype: 'squashfs', sha256: sha('a'), size: 1 }, field: 'filename' },
    { file: { filename: 'squashfs', filetype: 'squashfs', sha256: 'ABC', size: 1 }, field: 'sha256' },
    { file: { filename: 'squashfs', filetype: 'squashfs', sha256: sha('a'), size: -1 }, field: 'size' },
  ])('refuses a file with a bad $field', async ({ file, field }) => {
    const r = await db().bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' });
    try {
      await db().resourceSets.create(r.id, { version: '1', label: 'stable', files: [file] });
      expect.unreachable();
    } catch (err) {
      expect(Object.keys((err as ValidationError).fields)).toEqual([field]);
    }
    expect(await db().resourceSets.listForResource(r.id)).toEqual([]);
  });

  it('answers NotFoundError for a set of a missing resource', async () => {
    await expect(db().resourceSets.create(404, { version: '1', label: 'stable', files: [] })).rejects.toThrow(NotFoundError);
  });
});

describe('import runs', () => {
  const db = useTempRegionDb();

  it('records bytes, errors naming items, and the outcome', async () => {
    const run = await db().importRuns.start();
    expect(run).toMatchObject({ outcome: 'running', finished: null, bytes: 0, errors: [] });
    await db().importRuns.addBytes(run.id, 10);
    await db().importRuns.addBytes(run.id, 5);
    await db().importRuns.addError(run.id, { item: 'c/p/v/squashfs', code: 'CHECKSUM_MISMATCH', message: 'sha256 differs' });
    await db().importRuns.addError(run.id, { item: 'http://x.example', code: 'SOURCE_UNREACHABLE', message: 'refused' });
    const done = await db().importRuns.finish(run.id, 'partial');
    expect(done).toMatchObject({ outcome: 'partial', bytes: 15 });
    expect(done.errors.map((e) => e.item)).toEqual(['c/p/v/squashfs', 'http://x.example']);
    expect(done.finished).not.toBeNull();
    expect(await db().importRuns.lastSucceeded()).toBeUndefined();
    const ok = await db().importRuns.start();
    await db().importRuns.finish(ok.id, 'succeeded');
    expect((await db().importRuns.lastSucceeded())?.id).toBe(ok.id);
    expect((await db().importRuns.list()).map((r) => r.id)).toEqual([ok.id, run.id]);
  });

  it('closes runs a killed region left running as stopped', async () => {
    const a = await db().importRuns.start();
    const b = await db().importRuns.start();
    await db().importRuns.finish(b.id, 'succeeded');
    expect(await db().importRuns.closeAbandoned()).toBe(1);
    expect((await db().importRuns.get(a.id)).outcome).toBe('stopped');
    expect((await db().importRuns.get(b.id)).outcome).toBe('succeeded');
  });
});

describe('region config and API keys', () => {
  const db = useTempRegionDb();

  it('reads MAAS defaults until set, and refuses wrong types', async () => {
    expect(await db().config.get()).toEqual(REGION_CONFIG_DEFAULTS);
    expect((await db().config.get()).boot_images_auto_import).toBe(true);
    await db().config.set('boot_images_auto_import', false);
    await db().config.set('http_proxy', 'http://proxy.example:3128/');
    expect(await db().config.get()).toMatchObject({ boot_images_auto_import: false, http_proxy: 'http://proxy.example:3128/' });
    await expect(db().config.set('http_proxy', 'not a url')).rejects.toThrow(ValidationError);
    await expect(db().config.set('enable_http_proxy', 'yes' as unknown as boolean)).rejects.toThrow(ValidationError);
  });

  it('creates the admin key once and finds keys by token', async () => {
    const admin = await db().apiKeys.ensureAdmin();
    expect(await db().apiKeys.ensureAdmin()).toEqual(admin);
    expect(formatApiKey(admin)).toMatch(/^[A-Za-z0-9]{18}:[A-Za-z0-9]{18}:[A-Za-z0-9]{32}$/);
    const other = await db().apiKeys.create('ci');
    expect(await db().apiKeys.findByTokenKey(other.tokenKey)).toEqual(other);
    await db().apiKeys.delete(other.tokenKey);
    expect(await db().apiKeys.findByTokenKey(other.tokenKey)).toBeUndefined();
    expect(await db().apiKeys.list()).toEqual([admin]);
  });

  it('creates one admin key and one key per user when asked for them several times at once', async () => {
    const admins = await Promise.all([db().apiKeys.ensureAdmin(), db().apiKeys.ensureAdmin(), db().apiKeys.ensureAdmin()]);
    const alices = await Promise.all([db().apiKeys.ensureUser('alice', false), db().apiKeys.ensureUser('alice', false)]);
    expect(new Set(admins.map((k) => k.tokenKey)).size).toBe(1);
    expect(new Set(alices.map((k) => k.tokenKey)).size).toBe(1);
    expect((await db().apiKeys.list()).map((k) => k.name).sort()).toEqual(['admin', 'alice']);
  });

  it('formats dates the way the MAAS API shows them', () => {
    expect(maasDate('2018-12-04T18:11:31.894Z')).toBe('2018-12-04T18:11:31.894');
  });
});
