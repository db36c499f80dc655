import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { readMirror } from '@bootsync/shared/streams';
import { cacheEntries } from '../src/import/cache-entries.js';
import { createSourceProber } from '../src/source-prober.js';
import { maasCall, startApi, type ApiHarness } from './api-harness.js';
import { tempDir } from './daemon-harness.js';

/**
 * Selections are checked against what the source offers even before any import: the region reads the source's
 * signed index when it has not read it within an import interval. A real signed mirror over HTTP, the real prober.
 */
let api: ApiHarness;
let dir: Awaited<ReturnType<typeof tempDir>>;
let mirror: GeneratedMirror;
let server: MisbehavingServer;

beforeAll(async () => {
  dir = await tempDir('selections-checked');
  mirror = await createSignedMirror(join(dir.path, 'mirror'), { arches: ['amd64'], versions: ['20250718'], centos: false });
  server = await startMisbehavingServer({ root: mirror.root });
  api = await startApi({ prober: createSourceProber() });
});
afterAll(async () => {
  await api.close();
  await server.close();
  await dir.remove();
});

const newSource = async (name: string): Promise<number> =>
  (await api.repos.bootSources.create({ url: `${server.url}/${name}/../`, name, keyringFilename: mirror.keyring.binary })).id;
const select = (source: number, fields: [string, string][]) => maasCall(api, 'POST', `boot-sources/${source}/selections/`, fields);
const indexReads = (): number => server.requests.filter((r) => r.path.endsWith('/streams/v1/index.sjson')).length;

describe('a selection on a source no import has read', () => {
  it('refuses a release typo with MAAS form error on os, after reading the signed index, and caches the offer', async () => {
    const source = await newSource('typo');
    const before = indexReads();
    const res = await select(source, [['os', 'ubuntu'], ['release', 'nobel'], ['arches', 'amd64']]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ os: ['OS ubuntu with release nobel has no available images for download'] });
    expect(indexReads()).toBe(before + 1);
    expect(await api.repos.selections.listForSource(source)).toEqual([]);
    // The offer is cached now: the next check needs no read.
    expect((await select(source, [['os', 'ubuntu'], ['release', 'noble'], ['arches', 'amd64']])).statusCode).toBe(200);
    expect(indexReads()).toBe(before + 1);
  });

  it("names the arches the source does not offer in MAAS's words, per field", async () => {
    const source = await newSource('arches');
    const res = await select(source, [['os', 'ubuntu'], ['release', 'jammy'], ['arches', 'amd64'], ['arches', 's390x'], ['labels', 'candidate']]);
    expect(res.json()).toEqual({
      arches: ["No available images to download for ['s390x']"],
      labels: ["No available images to download for ['candidate']"],
    });
  });

  it('checks an update the same way', async () => {
    const source = await newSource('update');
    const created = (await select(source, [['os', 'ubuntu'], ['release', 'jammy']])).json() as { id: number };
    const res = await maasCall(api, 'PUT', `boot-sources/${source}/selections/${created.id}/`, [['release', 'jamy']]);
    expect(res.json()).toEqual({ os: ['OS ubuntu with release jamy has no available images for download'] });
  });

  it('reads the source again when its cache is older than an import interval', async () => {
    const source = await newSource('stale');
    // A cache from two hours ago that offers only a release the source has since dropped.
    const old = cacheEntries((await readMirror(`${server.url}/`, { keyring: undefined, verify: false })).items).map((e) => ({ ...e, release: 'focal' }));
    await api.repos.sourceCache.replace(source, old, new Date(Date.now() - 2 * 3_600_000).toISOString());
    const before = indexReads();
    expect((await select(source, [['os', 'ubuntu'], ['release', 'noble']])).statusCode).toBe(200);
    expect(indexReads()).toBe(before + 1);
    const releases = new Set((await api.repos.sourceCache.list(source)).filter((c) => c.os === 'ubuntu').map((c) => c.release));
    expect(releases).toEqual(new Set(['jammy', 'noble']));
  });

  it('falls back to an older cache when the source cannot be read now, and answers 503 when there is none', async () => {
    const gone = (await api.repos.bootSources.create({ url: 'http://127.0.0.1:9/gone/', keyringFilename: mirror.keyring.binary })).id;
    const unreadable = await select(gone, [['os', 'ubuntu'], ['release', 'noble']]);
    expect(unreadable.statusCode).toBe(503);
    expect(unreadable.body).toContain('Boot source http://127.0.0.1:9/gone could not be read to check the selection');
    const entries = cacheEntries((await readMirror(`${server.url}/`, { verify: false })).items);
    await api.repos.sourceCache.replace(gone, entries, new Date(Date.now() - 2 * 3_600_000).toISOString());
    expect((await select(gone, [['os', 'ubuntu'], ['release', 'nobel']])).json()).toEqual({
      os: ['OS ubuntu with release nobel has no available images for download'],
    });
    expect((await select(gone, [['os', 'ubuntu'], ['release', 'noble']])).statusCode).toBe(200);
  });
});
