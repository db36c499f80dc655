import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMirror } from '@bootsync/shared/streams';
import { cacheEntries } from '../src/import/cache-entries.js';
import { createSourceProber } from '../src/source-prober.js';
import { maasCall, startApi, type ApiHarness } from './api-harness.js';
import { realFixtures } from '@bootsync/testkit/fixtures';

const realStream = realFixtures.maasStable2025Index;
const P = '/MAAS/api/2.0/';

let api: ApiHarness;
let readSource: number;
let unreadSource: number;
let offer: ReturnType<typeof cacheEntries>;

beforeAll(async () => {
  api = await startApi({ prober: createSourceProber() });
  readSource = (await api.repos.bootSources.create({ url: 'http://read.example/', skipKeyringVerification: true })).id;
  unreadSource = (await api.repos.bootSources.create({ url: 'http://unread.example/', skipKeyringVerification: true })).id;
  // What an import caches after reading the real July 2025 stream.
  offer = cacheEntries((await readMirror(realStream, { verify: false })).items);
  await api.repos.sourceCache.replace(readSource, offer);
});
afterAll(() => api.close());

describe('boot-source-selections', () => {
  it('creates a selection with maascli args (200) and repeated keys as lists', async () => {
    const res = await maasCall(api, 'POST', `boot-sources/${readSource}/selections/`, [
      ['os', 'ubuntu'],
      ['release', 'noble'],
      ['arches', 'amd64'],
      ['arches', 'arm64'],
      ['subarches', '*'],
      ['labels', '*'],
    ]);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { id: number };
    expect(body).toEqual({
      boot_source_id: readSource,
      id: body.id,
      os: 'ubuntu',
      release: 'noble',
      arches: ['amd64', 'arm64'],
      subarches: ['*'],
      labels: ['*'],
      resource_uri: `${P}boot-sources/${readSource}/selections/${body.id}/`,
    });
    const list = await maasCall(api, 'GET', `boot-sources/${readSource}/selections/`);
    expect((list.json() as { id: number }[]).map((s) => s.id)).toContain(body.id);
  });

  it('refuses what the source does not offer, in MAAS words', async () => {
    const res = await maasCall(api, 'POST', `boot-sources/${readSource}/selections/`, [['os', 'ubuntu'], ['release', 'warty']]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ os: ['OS ubuntu with release warty has no available images for download'] });
    const arch = await maasCall(api, 'POST', `boot-sources/${readSource}/selections/`, [
      ['os', 'ubuntu'],
      ['release', 'jammy'],
      ['arches', 's390x'],
    ]);
    expect(arch.statusCode).toBe(400);
    expect(Object.keys(arch.json() as object)).toEqual(['arches']);
  });

  it('refuses a selection on a source never read and unreachable with a 503 saying so, saving nothing', async () => {
    const res = await maasCall(api, 'POST', `boot-sources/${unreadSource}/selections/`, [['os', 'ubuntu'], ['release', 'warty']]);
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toMatch(/^Boot source http:\/\/unread\.example could not be read to check the selection against what it offers: .*unread\.example/);
    expect(await api.repos.selections.listForSource(unreadSource)).toEqual([]);
  });

  it('reads, updates (validated) and deletes one selection', async () => {
    const created = (await maasCall(api, 'POST', `boot-sources/${readSource}/selections/`, [
      ['os', 'ubuntu'],
      ['release', 'jammy'],
    ])).json() as { id: number };
    const url = `boot-sources/${readSource}/selections/${created.id}/`;
    expect((await maasCall(api, 'GET', url)).json()).toMatchObject({ release: 'jammy', arches: ['*'] });
    const updated = await maasCall(api, 'PUT', url, [['arches', 'amd64,arm64']]);
    expect(updated.json()).toMatchObject({ release: 'jammy', arches: ['amd64', 'arm64'] });
    const refused = await maasCall(api, 'PUT', url, [['release', 'warty']]);
    expect(refused.statusCode).toBe(400);
    const deleted = await maasCall(api, 'DELETE', url);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.headers['content-type']).toBeDefined();
    expect((await maasCall(api, 'GET', url)).statusCode).toBe(404);
  });

  it("refuses to delete the selection of the commissioning release with MAAS's message, and deletes it once that moves", async () => {
    const created = (await maasCall(api, 'POST', `boot-sources/${readSource}/selections/`, [['os', 'ubuntu'], ['release', 'jammy']])).json() as {
      id: number;
    };
    const url = `boot-sources/${readSource}/selections/${created.id}/`;
    await api.repos.config.set('commissioning_distro_series', 'jammy');
    const refused = await maasCall(api, 'DELETE', url);
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(refused.body).toBe('Unable to delete ubuntu jammy. It is the operating system used for commissioning.');
    expect((await maasCall(api, 'GET', url)).statusCode).toBe(200);
    await api.repos.config.set('commissioning_distro_series', 'noble');
    expect((await maasCall(api, 'DELETE', url)).statusCode).toBe(204);
  });

  it('answers 404 for an unknown source or selection, and a duplicate as a form error', async () => {
    expect((await maasCall(api, 'GET', 'boot-sources/4242/selections/')).body).toBe('No BootSource matches the given query.');
    expect((await maasCall(api, 'POST', 'boot-sources/4242/selections/', [['os', 'ubuntu'], ['release', 'noble']])).statusCode).toBe(404);
    expect((await maasCall(api, 'GET', `boot-sources/${readSource}/selections/4242/`)).body).toBe(
      'No BootSourceSelection matches the given query.',
    );
    const again = await maasCall(api, 'POST', `boot-sources/${readSource}/selections/`, [['os', 'ubuntu'], ['release', 'noble']]);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toHaveProperty('__all__');
  });

  it.each<[string, [string, string][]]>([
    ['url', [['url', 'http://elsewhere.example/']]],
    ['keyring_filename', [['keyring_filename', '/usr/share/keyrings/other.gpg']]],
    ['keyring_data', [['keyring_data', Buffer.from('another keyring').toString('base64')], ['keyring_filename', '']]],
  ])('reads the source again once it changes its %s (503 while it cannot be read)', async (field, change) => {
    // Names, URLs and priorities are unique (MAAS), and a host name has no '_' (Django's URLValidator).
    const tag = field.replaceAll('_', '-');
    const id = (await api.repos.bootSources.create({ url: `http://moved-${tag}.example/`, keyringFilename: '/k.gpg' })).id;
    await api.repos.sourceCache.replace(id, offer);
    const warty = (): Promise<{ statusCode: number }> => maasCall(api, 'POST', `boot-sources/${id}/selections/`, [['os', 'ubuntu'], ['release', 'warty']]);
    expect((await warty()).statusCode).toBe(400);
    expect((await maasCall(api, 'PUT', `boot-sources/${id}/`, [['name', `renamed-${tag}`], ['priority', String(100 + id)]])).statusCode).toBe(200);
    expect((await warty()).statusCode).toBe(400);

    expect((await maasCall(api, 'PUT', `boot-sources/${id}/`, change)).statusCode).toBe(200);

    expect(await api.repos.sourceCache.list(id)).toEqual([]);
    expect((await warty()).statusCode).toBe(503);
  });
});
