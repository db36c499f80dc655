import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { sourceProber } from '../src/source-prober.js';
import { maasCall, startApi, type ApiHarness } from './api-harness.js';
import { realFixtures } from '@bootsync/testkit/fixtures';

const realStream = realFixtures.maasStable2025Index;
const P = '/MAAS/api/2.0/';

let api: ApiHarness;
let mirrorDir: string;
let mirror: GeneratedMirror;

beforeAll(async () => {
  mirrorDir = mkdtempSync(path.join(tmpdir(), 'bootsync-api-mirror-'));
  mirror = await createSignedMirror(mirrorDir, { centos: false });
  api = await startApi({ prober: sourceProber });
});
afterAll(async () => {
  await api.close();
  rmSync(mirrorDir, { recursive: true, force: true });
});

describe('boot-sources', () => {
  it('creates a source from maascli multipart (201) with MAAS defaults and fields', async () => {
    const res = await maasCall(api, 'POST', 'boot-sources/', [
      ['url', 'http://mirror.example/images/'],
      ['keyring_filename', '/usr/share/keyrings/ubuntu-cloudimage-keyring.gpg'],
    ]);
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json() as Record<string, unknown>;
    expect(body).toMatchObject({
      url: 'http://mirror.example/images',
      name: 'http://mirror.example/images',
      enabled: true,
      keyring_filename: '/usr/share/keyrings/ubuntu-cloudimage-keyring.gpg',
      keyring_data: '',
      skip_keyring_verification: false,
      resource_uri: `${P}boot-sources/${String(body.id)}/`,
    });
    expect(body.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
    expect(Object.keys(body).sort()).toEqual(
      ['created', 'enabled', 'id', 'keyring_data', 'keyring_filename', 'name', 'priority', 'resource_uri',
        'skip_keyring_verification', 'updated', 'url'].sort(),
    );
  });

  it('answers MAAS form errors as a 400 JSON body', async () => {
    const noKeyring = await maasCall(api, 'POST', 'boot-sources/', [['url', 'http://other.example/']]);
    expect(noKeyring.statusCode).toBe(400);
    expect(noKeyring.json()).toEqual({ __all__: ['One of keyring_data or keyring_filename must be specified.'] });
    const noUrl = await maasCall(api, 'POST', 'boot-sources/', [['keyring_filename', '/k.gpg']]);
    expect(noUrl.json()).toEqual({ url: ['This field is required.'] });
    const badPriority = await maasCall(api, 'POST', 'boot-sources/', [['url', 'http://x.example/'], ['priority', 'high']]);
    expect(badPriority.json()).toEqual({ priority: ['Enter a whole number.'] });
    const typo = await maasCall(api, 'POST', 'boot-sources/', [['url', 'http://x.example/'], ['keyring_file', '/k']]);
    expect(typo.statusCode).toBe(400);
    expect(Object.keys(typo.json() as object)).toEqual(['keyring_file']);
  });

  it('keeps names and priorities unique and priorities >= 0, on create and on update, with MAAS messages', async () => {
    const create = (fields: [string, string][]): ReturnType<typeof maasCall> =>
      maasCall(api, 'POST', 'boot-sources/', [['keyring_filename', '/k.gpg'], ...fields]);
    const first = (await create([['url', 'http://unique-a.example/'], ['name', 'unique-a'], ['priority', '40']])).json() as { id: number };
    const second = (await create([['url', 'http://unique-b.example/'], ['name', 'unique-b'], ['priority', '41']])).json() as { id: number };

    const clash = await create([['url', 'http://unique-c.example/'], ['name', 'unique-a'], ['priority', '40']]);
    expect(clash.statusCode).toBe(400);
    expect(clash.json()).toEqual({
      name: ['Boot source with this Name already exists.'],
      priority: ['A boot source with the same priority already exists.'],
    });
    const negative = await create([['url', 'http://unique-c.example/'], ['priority', '-1']]);
    expect(negative.json()).toEqual({ priority: ['Ensure this value is greater than or equal to 0.'] });

    const moveOnto = await maasCall(api, 'PUT', `boot-sources/${second.id}/`, [['priority', '40'], ['name', 'unique-a']]);
    expect(moveOnto.statusCode).toBe(400);
    expect(moveOnto.json()).toEqual({
      name: ['Boot source with this Name already exists.'],
      priority: ['A boot source with the same priority already exists.'],
    });
    // Sending a source's own name and priority again is no clash.
    const same = await maasCall(api, 'PUT', `boot-sources/${first.id}/`, [['priority', '40'], ['name', 'unique-a'], ['enabled', 'false']]);
    expect(same.statusCode).toBe(200);
    expect(await api.repos.bootSources.get(second.id)).toMatchObject({ name: 'unique-b', priority: 41 });
    for (const { id } of [first, second]) await maasCall(api, 'DELETE', `boot-sources/${id}/`);
  });

  it('takes URLs as Django URLField does: http:// assumed, no host without a domain, at most 200 characters', async () => {
    const bare = await maasCall(api, 'POST', 'boot-sources/', [['url', 'bare.example/maas/'], ['skip_keyring_verification', 'true']]);
    expect(bare.statusCode).toBe(201);
    expect(bare.json()).toMatchObject({ url: 'http://bare.example/maas', name: 'http://bare.example/maas' });
    await maasCall(api, 'DELETE', `boot-sources/${(bare.json() as { id: number }).id}/`);

    const noDomain = await maasCall(api, 'POST', 'boot-sources/', [['url', 'http://mirror/maas'], ['keyring_filename', '/k.gpg']]);
    expect(noDomain.statusCode).toBe(400);
    expect(noDomain.json()).toEqual({ url: ['Enter a valid URL.'] });
    const long = await maasCall(api, 'POST', 'boot-sources/', [['url', `http://long.example/${'x'.repeat(200)}`], ['keyring_filename', '/k.gpg']]);
    expect(long.json()).toEqual({ url: ['Ensure this value has at most 200 characters (it has 220).'] });
    const local = await maasCall(api, 'POST', 'boot-sources/', [['url', 'file:///srv/maas-images/'], ['keyring_filename', '/k.gpg']]);
    expect(local.statusCode).toBe(201);
    expect(local.json()).toMatchObject({ url: 'file:///srv/maas-images' });
    await maasCall(api, 'DELETE', `boot-sources/${(local.json() as { id: number }).id}/`);
  });

  it('takes keyring_data as a file part and answers it base64', async () => {
    const keyring = readFileSync(mirror.keyring.binary);
    const res = await maasCall(api, 'POST', 'boot-sources/', [
      ['url', 'http://keyed.example/'],
      ['keyring_data', keyring, 'file'],
    ]);
    expect(res.statusCode).toBe(201);
    expect((res.json() as { keyring_data: string }).keyring_data).toBe(keyring.toString('base64'));
  });

  it('reads, updates and deletes one source; delete is a 204 that still has a Content-Type', async () => {
    const created = (await maasCall(api, 'POST', 'boot-sources/', [
      ['url', 'http://rud.example/'],
      ['skip_keyring_verification', 'true'],
    ])).json() as { id: number };
    const read = await maasCall(api, 'GET', `boot-sources/${created.id}/`);
    expect(read.json()).toMatchObject({ id: created.id, url: 'http://rud.example' });

    const updated = await maasCall(api, 'PUT', `boot-sources/${created.id}/`, [['priority', '50'], ['enabled', '0']]);
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ priority: 50, enabled: false, url: 'http://rud.example' });

    const list = (await maasCall(api, 'GET', 'boot-sources/')).json() as { id: number }[];
    expect(list[0]!.id).toBe(created.id); // the highest priority first

    const deleted = await maasCall(api, 'DELETE', `boot-sources/${created.id}/`);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(deleted.body).toBe('');
    const gone = await maasCall(api, 'GET', `boot-sources/${created.id}/`);
    expect(gone.statusCode).toBe(404);
    expect(gone.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(gone.body).toBe('No BootSource matches the given query.');
  });

  it('refuses an update that would leave both keyring forms set, and switches forms when the other is cleared', async () => {
    const keyring = readFileSync(mirror.keyring.binary);
    const created = (await maasCall(api, 'POST', 'boot-sources/', [
      ['url', 'http://switch.example/'],
      ['keyring_filename', '/usr/share/keyrings/a.gpg'],
    ])).json() as { id: number };
    const url = `boot-sources/${created.id}/`;
    const bothRefused = { __all__: ['Only one of keyring_filename or keyring_data can be specified.'] };

    const dataOnly = await maasCall(api, 'PUT', url, [['keyring_data', keyring, 'file']]);
    expect(dataOnly.statusCode).toBe(400);
    expect(dataOnly.json()).toEqual(bothRefused);
    expect((await maasCall(api, 'GET', url)).json()).toMatchObject({ keyring_filename: '/usr/share/keyrings/a.gpg', keyring_data: '' });

    const toData = await maasCall(api, 'PUT', url, [['keyring_data', keyring, 'file'], ['keyring_filename', '']]);
    expect(toData.statusCode).toBe(200);
    expect(toData.json()).toMatchObject({ keyring_filename: '', keyring_data: keyring.toString('base64') });

    const fileOnly = await maasCall(api, 'PUT', url, [['keyring_filename', '/usr/share/keyrings/b.gpg']]);
    expect(fileOnly.statusCode).toBe(400);
    expect(fileOnly.json()).toEqual(bothRefused);

    const toFile = await maasCall(api, 'PUT', url, [['keyring_filename', '/usr/share/keyrings/b.gpg'], ['keyring_data', '']]);
    expect(toFile.statusCode).toBe(200);
    expect(toFile.json()).toMatchObject({ keyring_filename: '/usr/share/keyrings/b.gpg', keyring_data: '' });
  });

  it.each(['999999', 'abc', '0', '-1'])('answers 404 for the id %s', async (id) => {
    const res = await maasCall(api, 'GET', `boot-sources/${id}/`);
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe('No BootSource matches the given query.');
  });
});

describe('boot-sources op=fetch', () => {
  it('reads and verifies a signed mirror with the keyring sent, without saving it', async () => {
    const before = (await api.repos.bootSources.list()).length;
    const res = await maasCall(api, 'POST', 'boot-sources/?op=fetch', [
      ['url', mirror.root],
      ['keyring_data', readFileSync(mirror.keyring.binary), 'file'],
    ]);
    expect(res.statusCode).toBe(200);
    const offer = res.json() as { images: { os: string; release: string; arches: string[]; labels: string[] }[] };
    const noble = offer.images.find((i) => i.os === 'ubuntu' && i.release === 'noble');
    expect(noble?.arches.sort()).toEqual(['amd64', 'arm64']);
    expect(noble?.labels).toEqual(['stable']);
    expect((await api.repos.bootSources.list()).length).toBe(before);
  });

  it('summarizes the real July 2025 MAAS stream (unsigned .json)', async () => {
    const res = await maasCall(api, 'POST', 'boot-sources/?op=fetch', [['url', realStream]]);
    expect(res.statusCode).toBe(200);
    const releases = (res.json() as { images: { os: string; release: string }[] }).images.map((i) => `${i.os}/${i.release}`);
    expect(releases).toEqual(expect.arrayContaining(['ubuntu/jammy', 'ubuntu/noble']));
  });

  it('answers a 400 naming the failure when the signature does not verify', async () => {
    const otherDir = mkdtempSync(path.join(tmpdir(), 'bootsync-api-other-'));
    try {
      const other = await createSignedMirror(otherDir, { centos: false, bootloaders: false, arches: ['amd64'] });
      const res = await maasCall(api, 'POST', 'boot-sources/?op=fetch', [
        ['url', mirror.root],
        ['keyring_filename', other.keyring.binary],
      ]);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.body).toContain(`Failed to read boot source ${mirror.root}`);
      expect(res.body).toMatch(/key|signature/i);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('answers a 400 for an unreachable source', async () => {
    const res = await maasCall(api, 'POST', 'boot-sources/?op=fetch', [
      ['url', 'http://127.0.0.1:9/'],
      ['skip_keyring_verification', 'true'],
    ]);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Failed to read boot source http://127.0.0.1:9/');
  });

  it('answers a 400, not a 500, for an index URL with bad percent-encoding', async () => {
    const url = 'http://127.0.0.1:9/streams/v1/%E0.json';
    const res = await maasCall(api, 'POST', 'boot-sources/?op=fetch', [['url', url]]);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(`Failed to read boot source ${url}: bad mirror location`);
    expect(res.body).toContain('bad percent-encoding');
  });
});
