import { describe, expect, it } from 'vitest';
import { NotFoundError, REGION_CONFIG_DEFAULTS, ValidationError, formatApiKey } from '@bootsync/region/db';
import { maasDate } from '@bootsync/region/api';
import { useTempRegionDb } from './db-harness.js';

const sha = (c: string): string => c.repeat(64);

describe('boot resources, sets and files', () => {
  const db = useTempRegionDb();

  it('upserts a resource by (name, architecture)', () => {
    const a = db().bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04', extra: { title: '24.04 LTS' } });
    const b = db().bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04', extra: { title: 'Noble' } });
    expect(b.id).toBe(a.id);
    expect(b.extra).toEqual({ title: 'Noble' });
    db().bootResources.upsert({ rtype: 'uploaded', name: 'custom/img', architecture: 'amd64/generic' });
    expect(db().bootResources.list({ rtype: 'synced' }).map((r) => r.name)).toEqual(['ubuntu/noble']);
    expect(db().bootResources.list()).toHaveLength(2);
  });

  it.each([
    { input: { rtype: 'synced' as const, name: 'noble', architecture: 'amd64/ga-24.04' }, field: 'name' },
    { input: { rtype: 'synced' as const, name: 'ubuntu/noble', architecture: 'amd64' }, field: 'architecture' },
  ])('refuses a malformed $field', ({ input, field }) => {
    expect(() => db().bootResources.upsert(input)).toThrow(ValidationError);
    try {
      db().bootResources.upsert(input);
    } catch (err) {
      expect(Object.keys((err as ValidationError).fields)).toEqual([field]);
    }
  });

  it('tracks file progress and completes a set only when every file is verified', () => {
    const r = db().bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' });
    const set = db().resourceSets.create(r.id, {
      version: '20240101',
      label: 'stable',
      files: [
        { filename: 'squashfs', filetype: 'squashfs', sha256: sha('a'), size: 100 },
        { filename: 'boot-kernel', filetype: 'boot-kernel', sha256: sha('b'), size: 50, extra: { kpackage: 'linux-generic' } },
      ],
    });
    expect(set).toMatchObject({ complete: false, size: 150, bytesDone: 0, label: 'stable' });
    const [kernel, squash] = set.files;
    db().resourceSets.setFileProgress(squash!.id, 100);
    expect(() => db().resourceSets.markComplete(set.id)).toThrow(/boot-kernel/);
    db().resourceSets.setFileProgress(kernel!.id, 9999);
    const done = db().resourceSets.markComplete(set.id);
    expect(done).toMatchObject({ complete: true, bytesDone: 150 });
    expect(done.files.find((f) => f.filename === 'boot-kernel')?.extra).toEqual({ kpackage: 'linux-generic' });
  });

  it('lists sets newest first, refuses a duplicate version and reports referenced blobs until deleted', () => {
    const r = db().bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' });
    const files = (c: string) => [{ filename: 'squashfs', filetype: 'squashfs', sha256: sha(c), size: 1 }];
    const old = db().resourceSets.create(r.id, { version: '20240101', label: 'stable', files: files('a') });
    db().resourceSets.create(r.id, { version: '20240202', label: 'stable', files: files('b') });
    expect(db().resourceSets.listForResource(r.id).map((s) => s.version)).toEqual(['20240202', '20240101']);
    expect(() => db().resourceSets.create(r.id, { version: '20240101', label: 'stable', files: [] })).toThrow(ValidationError);
    expect(db().resourceSets.referencedSha256()).toEqual(new Set([sha('a'), sha('b')]));
    db().resourceSets.delete(old.id);
    expect(db().resourceSets.referencedSha256()).toEqual(new Set([sha('b')]));
    db().bootResources.delete(r.id);
    expect(db().resourceSets.referencedSha256()).toEqual(new Set());
  });

  it('a damaged blob makes the complete sets holding it damaged and unverified, until they complete again', () => {
    const ga = db().bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' });
    const hwe = db().bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/hwe-24.04' });
    const files = (kernel: string) => [
      { filename: 'squashfs', filetype: 'squashfs', sha256: sha('a'), size: 100, bytesDone: 100 },
      { filename: 'boot-kernel', filetype: 'boot-kernel', sha256: sha(kernel), size: 10, bytesDone: 10 },
    ];
    const a = db().resourceSets.markComplete(db().resourceSets.create(ga.id, { version: '1', label: 'stable', files: files('b') }).id);
    const b = db().resourceSets.markComplete(db().resourceSets.create(hwe.id, { version: '1', label: 'stable', files: files('c') }).id);
    expect(db().resourceSets.markBlobDamaged(sha('b'))).toEqual([a.id]);
    expect(db().resourceSets.get(a.id)).toMatchObject({ complete: false, damaged: true, bytesDone: 100, updated: a.updated });
    expect(db().resourceSets.get(b.id)).toMatchObject({ complete: true, damaged: false });
    expect(db().resourceSets.markBlobDamaged(sha('a'))).toEqual([a.id, b.id]);
    expect(db().resourceSets.get(b.id)).toMatchObject({ complete: false, damaged: true, bytesDone: 10 });
    expect(db().resourceSets.damagedSha256()).toEqual(new Set([sha('a'), sha('b')]));
    for (const f of db().resourceSets.get(a.id).files) db().resourceSets.setFileProgress(f.id, f.size);
    expect(db().resourceSets.markComplete(a.id)).toMatchObject({ complete: true, damaged: false });
    expect(db().resourceSets.damagedSha256()).toEqual(new Set([sha('a')]));
  });

  it.each([
    { file: { filename: '../etc/passwd', filetype: 'squashfs', sha256: sha('a'), size: 1 }, field: 'filename' },
    { file: { filename: 'squashfs', filetype: 'squashfs', sha256: 'ABC', size: 1 }, field: 'sha256' },
    { file: { filename: 'squashfs', filetype: 'squashfs', sha256: sha('a'), size: -1 }, field: 'size' },
  ])('refuses a file with a bad $field', ({ file, field }) => {
    const r = db().bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' });
    try {
      db().resourceSets.create(r.id, { version: '1', label: 'stable', files: [file] });
      expect.unreachable();
    } catch (err) {
      expect(Object.keys((err as ValidationError).fields)).toEqual([field]);
    }
    expect(db().resourceSets.listForResource(r.id)).toEqual([]);
  });

  it('answers NotFoundError for a set of a missing resource', () => {
    expect(() => db().resourceSets.create(404, { version: '1', label: 'stable', files: [] })).toThrow(NotFoundError);
  });
});

describe('import runs', () => {
  const db = useTempRegionDb();

  it('records bytes, errors naming items, and the outcome', () => {
    const run = db().importRuns.start();
    expect(run).toMatchObject({ outcome: 'running', finished: null, bytes: 0, errors: [] });
    db().importRuns.addBytes(run.id, 10);
    db().importRuns.addBytes(run.id, 5);
    db().importRuns.addError(run.id, { item: 'c/p/v/squashfs', code: 'CHECKSUM_MISMATCH', message: 'sha256 differs' });
    db().importRuns.addError(run.id, { item: 'http://x.example', code: 'SOURCE_UNREACHABLE', message: 'refused' });
    const done = db().importRuns.finish(run.id, 'partial');
    expect(done).toMatchObject({ outcome: 'partial', bytes: 15 });
    expect(done.errors.map((e) => e.item)).toEqual(['c/p/v/squashfs', 'http://x.example']);
    expect(done.finished).not.toBeNull();
    expect(db().importRuns.lastSucceeded()).toBeUndefined();
    const ok = db().importRuns.start();
    db().importRuns.finish(ok.id, 'succeeded');
    expect(db().importRuns.lastSucceeded()?.id).toBe(ok.id);
    expect(db().importRuns.list().map((r) => r.id)).toEqual([ok.id, run.id]);
  });

  it('closes runs a killed region left running as stopped', () => {
    const a = db().importRuns.start();
    const b = db().importRuns.start();
    db().importRuns.finish(b.id, 'succeeded');
    expect(db().importRuns.closeAbandoned()).toBe(1);
    expect(db().importRuns.get(a.id).outcome).toBe('stopped');
    expect(db().importRuns.get(b.id).outcome).toBe('succeeded');
  });
});

describe('region config and API keys', () => {
  const db = useTempRegionDb();

  it('reads MAAS defaults until set, and refuses wrong types', () => {
    expect(db().config.get()).toEqual(REGION_CONFIG_DEFAULTS);
    expect(db().config.get().boot_images_auto_import).toBe(true);
    db().config.set('boot_images_auto_import', false);
    db().config.set('http_proxy', 'http://proxy.example:3128/');
    expect(db().config.get()).toMatchObject({ boot_images_auto_import: false, http_proxy: 'http://proxy.example:3128/' });
    expect(() => db().config.set('http_proxy', 'not a url')).toThrow(ValidationError);
    expect(() => db().config.set('enable_http_proxy', 'yes' as unknown as boolean)).toThrow(ValidationError);
  });

  it('creates the admin key once and finds keys by token', () => {
    const admin = db().apiKeys.ensureAdmin();
    expect(db().apiKeys.ensureAdmin()).toEqual(admin);
    expect(formatApiKey(admin)).toMatch(/^[A-Za-z0-9]{18}:[A-Za-z0-9]{18}:[A-Za-z0-9]{32}$/);
    const other = db().apiKeys.create('ci');
    expect(db().apiKeys.findByTokenKey(other.tokenKey)).toEqual(other);
    db().apiKeys.delete(other.tokenKey);
    expect(db().apiKeys.findByTokenKey(other.tokenKey)).toBeUndefined();
    expect(db().apiKeys.list()).toEqual([admin]);
  });

  it('formats dates the way the MAAS API shows them', () => {
    expect(maasDate('2018-12-04T18:11:31.894Z')).toBe('2018-12-04T18:11:31.894');
  });
});
