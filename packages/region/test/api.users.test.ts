import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, openRegionDatabase } from '../src/db/index.js';
import { maasCall, oauthHeader, startApi, type ApiHarness } from './api-harness.js';
import { tempDir } from './daemon-harness.js';

const REGION_BIN = fileURLToPath(new URL('../bin/bootsync-region.js', import.meta.url));
const run = promisify(execFile);

let api: ApiHarness;
let viewer: string;
let source: number;
let selection: number;

beforeAll(async () => {
  api = await startApi();
  viewer = oauthHeader(await api.repos.apiKeys.ensureUser('viewer', false));
  source = (await api.repos.bootSources.create({ url: 'http://mirror.example/', skipKeyringVerification: true })).id;
  selection = (await api.repos.selections.create(source, { os: 'ubuntu', release: 'jammy', arches: ['amd64'], subarches: ['*'], labels: ['*'] })).id;
});
afterAll(() => api.close());

describe('users as MAAS has them', () => {
  it('whoami answers the user and whether it is an admin', async () => {
    expect((await maasCall(api, 'GET', 'users/?op=whoami')).json()).toMatchObject({ username: 'admin', is_superuser: true });
    expect((await maasCall(api, 'GET', 'users/?op=whoami', [], viewer)).json()).toMatchObject({ username: 'viewer', is_superuser: false });
  });

  it.each([
    ['boot-sources/', 'boot sources'],
    ['boot-sources/1/', 'a boot source'],
    ['boot-sources/1/selections/', 'selections'],
    ['boot-resources/', 'boot resources'],
    ['maas/?op=get_config&name=boot_images_auto_import', 'a setting'],
  ])('a user reads %s', async (path) => {
    expect((await maasCall(api, 'GET', path.replace('/1/', `/${source}/`), [], viewer)).statusCode).toBe(200);
  });

  it.each<[string, 'POST' | 'PUT' | 'DELETE', string, [string, string][]]>([
    ['create a boot source', 'POST', 'boot-sources/', [['url', 'http://other.example/']]],
    ['read a source through the region (op=fetch)', 'POST', 'boot-sources/?op=fetch', [['url', 'http://other.example/']]],
    ['update a boot source', 'PUT', 'boot-sources/S/', [['name', 'mine']]],
    ['delete a boot source', 'DELETE', 'boot-sources/S/', []],
    ['create a selection', 'POST', 'boot-sources/S/selections/', [['os', 'ubuntu'], ['release', 'noble']]],
    ['update a selection', 'PUT', 'boot-sources/S/selections/L/', [['arches', 'arm64']]],
    ['delete a selection', 'DELETE', 'boot-sources/S/selections/L/', []],
    ['import', 'POST', 'boot-resources/?op=import', []],
    ['stop an import', 'POST', 'boot-resources/?op=stop_import', []],
    ['set a setting', 'POST', 'maas/?op=set_config', [['name', 'boot_images_auto_import'], ['value', 'false']]],
  ])("a user cannot %s: MAAS's 403, and nothing changes", async (_what, method, path, fields) => {
    const res = await maasCall(api, method, path.replace('S', String(source)).replace('L', String(selection)), fields, viewer);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toBe('This method is reserved for admin users.');
    expect((await api.repos.bootSources.list()).map((s) => s.name)).toEqual(['http://mirror.example']);
    expect((await api.repos.selections.get(source, selection)).arches).toEqual(['amd64']);
    expect((await api.repos.config.get()).boot_images_auto_import).toBe(true);
  });
});

describe('bootsync-region apikey --user NAME [--admin]', () => {
  it('creates a key for a user once and prints the same one after; --admin makes the user an admin; the admin key stays admin', async () => {
    const dir = await tempDir('apikey-users');
    try {
      const apikey = async (...args: string[]): Promise<string> =>
        (await run(process.execPath, [REGION_BIN, 'apikey', '--data-dir', dir.path, ...args])).stdout.trim();
      const admin = await apikey();
      const alice = await apikey('--user', 'alice');
      expect(alice).toMatch(/^[A-Za-z0-9]{18}:[A-Za-z0-9]{18}:[A-Za-z0-9]{32}$/);
      expect(await apikey('--user', 'alice')).toBe(alice);
      expect(await apikey('--user', 'bob', '--admin')).not.toBe(alice);
      expect(await apikey()).toBe(admin);
      const db = await openRegionDatabase({ file: `${dir.path}/region.db` });
      try {
        const keys = await createRepositories(db).apiKeys.list();
        expect(keys.map((k) => [k.name, k.isSuperuser])).toEqual([['admin', true], ['alice', false], ['bob', true]]);
      } finally {
        await db.close();
      }
      await apikey('--user', 'alice', '--admin');
      const after = await openRegionDatabase({ file: `${dir.path}/region.db` });
      expect((await createRepositories(after).apiKeys.findByTokenKey(alice.split(':')[1]!))?.isSuperuser).toBe(true);
      await after.close();
    } finally {
      await dir.remove();
    }
  });
});
