import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maasCall, startApi, type ApiHarness } from './api-harness.js';

const P = '/MAAS/api/2.0/';
const sha = (c: string): string => c.repeat(64);

let api: ApiHarness;
let synced: number;
let downloading: number;
let queued: number;

beforeAll(async () => {
  api = await startApi();
  const { bootResources, resourceSets } = api.repos;
  const files = [
    { filename: 'boot-kernel', filetype: 'boot-kernel', sha256: sha('a'), size: 1000 },
    { filename: 'squashfs', filetype: 'squashfs', sha256: sha('b'), size: 3000 },
  ];
  synced = (await bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04', extra: { subarches: 'generic,ga-24.04', title: '24.04 LTS' } })).id;
  const done = await resourceSets.create(synced, { version: '20250718', label: 'stable', files: files.map((f) => ({ ...f, bytesDone: f.size })) });
  await resourceSets.markComplete(done.id);

  downloading = (await bootResources.upsert({ rtype: 'synced', name: 'ubuntu/jammy', architecture: 'amd64/ga-22.04' })).id;
  const partial = await resourceSets.create(downloading, { version: '20250718', label: 'stable', files });
  await resourceSets.setFileProgress(partial.files.find((f) => f.filename === 'squashfs')!.id, 1680);

  queued = (await bootResources.upsert({ rtype: 'uploaded', name: 'custom/focal-desktop', architecture: 'amd64/generic' })).id;
});
afterAll(() => api.close());

describe('boot-resources', () => {
  it('lists resources with MAAS fields, status, size and last_synced', async () => {
    const res = await maasCall(api, 'GET', 'boot-resources/');
    expect(res.statusCode).toBe(200);
    const list = res.json() as Record<string, unknown>[];
    const byId = new Map(list.map((r) => [r.id, r]));
    expect(byId.get(synced)).toMatchObject({
      type: 'Synced',
      name: 'ubuntu/noble',
      architecture: 'amd64/ga-24.04',
      subarches: 'generic,ga-24.04',
      title: '24.04 LTS',
      resource_uri: `${P}boot-resources/${synced}/`,
      last_deployed: null,
      status: 'Synced',
      size: 4000,
    });
    expect(byId.get(synced)!.last_synced).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
    expect(byId.get(downloading)).toMatchObject({ status: 'Downloading 42%', size: 4000, last_synced: null });
    expect(byId.get(queued)).toMatchObject({ type: 'Uploaded', status: 'Queued for download', size: null });
  });

  it.each([
    ['synced', () => [synced, downloading]],
    ['uploaded', () => [queued]],
  ])('filters by type=%s', async (type, expected) => {
    const res = await maasCall(api, 'GET', 'boot-resources/', [['type', type]]);
    expect((res.json() as { id: number }[]).map((r) => r.id).sort()).toEqual(expected().sort());
  });

  it.each(['bogus', 'generated'])("refuses type=%s with MAAS 3.5+'s plain-text 400", async (type) => {
    const res = await maasCall(api, 'GET', 'boot-resources/', [['type', type]]);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toBe(`'${type}' is not a valid boot resource type. Available types: ['synced', 'uploaded']`);
  });

  it('reads one resource with its sets, files and progress', async () => {
    const res = await maasCall(api, 'GET', `boot-resources/${downloading}/`);
    const body = res.json() as { sets: Record<string, { complete: boolean; progress: number; size: number; files: Record<string, unknown> }> };
    const set = body.sets['20250718']!;
    expect(set).toMatchObject({ version: '20250718', label: 'stable', size: 4000, complete: false, progress: 42 });
    expect(set.files.squashfs).toEqual({
      filename: 'squashfs', filetype: 'squashfs', sha256: sha('b'), size: 3000, complete: false, progress: 56,
    });
  });

  it('deletes a resource (204 with a Content-Type) and answers 404 afterwards', async () => {
    const res = await maasCall(api, 'DELETE', `boot-resources/${queued}/`);
    expect(res.statusCode).toBe(204);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const gone = await maasCall(api, 'GET', `boot-resources/${queued}/`);
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toBe('No BootResource matches the given query.');
  });
});

describe('maas get_config / set_config', () => {
  it('reads the MAAS default, sets it with value=false/true/0/1 and answers OK', async () => {
    const get = async (): Promise<unknown> => (await maasCall(api, 'GET', 'maas/?op=get_config', [['name', 'boot_images_auto_import']])).json();
    expect(await get()).toBe(true);
    for (const [value, expected] of [['false', false], ['1', true], ['0', false], ['true', true]] as const) {
      const res = await maasCall(api, 'POST', 'maas/?op=set_config', [['name', 'boot_images_auto_import'], ['value', value]]);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.body).toBe('OK');
      expect(await get()).toBe(expected);
    }
  });

  it('answers null for the proxy of a fresh region, as MAAS does, and the other settings their defaults', async () => {
    const fresh = await startApi();
    try {
      const get = (name: string) => maasCall(fresh, 'GET', 'maas/?op=get_config', [['name', name]]);
      const proxy = await get('http_proxy');
      expect(proxy.statusCode).toBe(200);
      expect(proxy.body).toBe('null');
      expect((await get('enable_http_proxy')).body).toBe('true');
      expect((await get('boot_images_no_proxy')).body).toBe('false');
      await maasCall(fresh, 'POST', 'maas/?op=set_config', [['name', 'http_proxy'], ['value', 'http://proxy.example:3128/']]);
      expect((await get('http_proxy')).json()).toBe('http://proxy.example:3128/');
    } finally {
      await fresh.close();
    }
  });

  it('sets the proxy as text', async () => {
    await maasCall(api, 'POST', 'maas/?op=set_config', [['name', 'http_proxy'], ['value', 'http://proxy.example:3128/']]);
    const res = await maasCall(api, 'GET', 'maas/?op=get_config', [['name', 'http_proxy']]);
    expect(res.json()).toBe('http://proxy.example:3128/');
  });

  it.each([
    [[['name', 'no_such_setting'], ['value', '1']], 'name'],
    [[['name', 'enable_http_proxy'], ['value', 'maybe']], 'value'],
    [[['name', 'http_proxy'], ['value', 'not a url']], 'http_proxy'],
    [[['value', '1']], 'name'],
  ] as const)('refuses %j with a 400 on %s', async (fields, field) => {
    const res = await maasCall(api, 'POST', 'maas/?op=set_config', fields);
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json() as object)).toEqual([field]);
  });
});
