import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { DEFAULT_RELEASES, createSignedMirror } from '@bootsync/testkit/mirror';
import { regionLinkTo, tempDir } from './rack-fixtures.js';

const INDEX = '/streams/v1/index.json';
let cleanup: () => Promise<void>;
/** Two "regions" serving the same stream (a generated mirror's unsigned documents), as a cluster's regions do. */
let a: MisbehavingServer;
let b: MisbehavingServer;

beforeAll(async () => {
  let dir: string;
  ({ dir, cleanup } = await tempDir('region-link'));
  const mirror = await createSignedMirror(join(dir, 'mirror'), {
    bootloaders: false, centos: false, releases: DEFAULT_RELEASES.filter((r) => r.release === 'noble'), arches: ['amd64'], versions: ['20250718'],
  });
  a = await startMisbehavingServer({ root: mirror.root });
  b = await startMisbehavingServer({ root: mirror.root });
}, 30_000);
afterAll(async () => {
  await a.close();
  await b.close();
  await cleanup();
});

describe('a rack reading the region stream from one region of several', () => {
  it('reads it from the next region when the current one fails, and stays there', async () => {
    a.faults.set(INDEX, { status: 502, times: 1 });
    const { link, moves } = regionLinkTo([a.url, b.url]);
    const state = await link.read();
    expect(state.items.length).toBeGreaterThan(0);
    expect(link.current).toBe(b.url);
    expect(moves()).toEqual([expect.objectContaining({ rack: 'rack-1', from: a.url, region: b.url, err: expect.objectContaining({ code: 'RACK_REGION_ERROR' }) })]);
    expect(link.fileUrl(state.items[0]!)).toBe(new URL(state.items[0]!.path, `${b.url}/`).toString());
  });

  it('fails the read once every region failed in turn, with the last failure', async () => {
    a.faults.set(INDEX, { status: 503, times: 1 });
    b.faults.set(INDEX, { status: 500, times: 1 });
    const { link, moves } = regionLinkTo([a.url, b.url]);
    await expect(link.read()).rejects.toMatchObject({ code: 'RACK_REGION_ERROR', status: 500 });
    expect(moves().map((m) => m.region)).toEqual([b.url, a.url]);
  });

  it('does not move for what any region would answer the same (a refused token), nor with one region', async () => {
    a.faults.set(INDEX, { status: 401, times: 1 });
    const two = regionLinkTo([a.url, b.url]);
    await expect(two.link.read()).rejects.toMatchObject({ code: 'RACK_REGION_REFUSED' });
    expect(two.moves()).toEqual([]);
    a.faults.set(INDEX, { status: 500, times: 1 });
    const one = regionLinkTo([a.url]);
    await expect(one.link.read()).rejects.toMatchObject({ status: 500 });
    expect(one.moves()).toEqual([]);
  });
});
