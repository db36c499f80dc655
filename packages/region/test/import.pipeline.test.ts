import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentStore } from '@bootsync/shared/store';
import { imageStatus } from '@bootsync/region/status';
import { createImportHarness, NOBLE_AMD64, type ImportHarness } from './import-harness.js';

let h: ImportHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const NEWEST = '20250718';

/** `name architecture → versions held (complete marked *)`, as an operator reads `boot-resources read`. */
async function held(harness: ImportHarness): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const r of await harness.repos.bootResources.list()) {
    out[`${r.name} ${r.architecture}`] = (await harness.repos.resourceSets.listForResource(r.id))
      .map((s) => `${s.version}${s.complete ? '*' : ''}`)
      .sort();
  }
  return out;
}

describe('import against a generated signed stream', () => {
  it('imports the selected images into the store, verified, and marks their sets complete', async () => {
    h = await createImportHarness();
    const finished = await h.importNow();

    expect(finished.outcome).toBe('succeeded');
    expect(finished.changed).toBe(true);
    const images = await held(h);
    expect(images['ubuntu/noble amd64/ga-24.04']).toEqual([`${NEWEST}*`]);
    expect(images['ubuntu/noble amd64/hwe-24.04']).toEqual([`${NEWEST}*`]);
    expect(Object.keys(images).filter((k) => /jammy|arm64\/ga|arm64\/hwe|centos/.test(k))).toEqual([]);
    // Allow-listed bootloaders come whatever the selections say.
    expect(images['grub-efi-signed/uefi amd64/generic']).toEqual([expect.stringMatching(/\*$/)]);

    // Every file row points at a blob whose bytes hash to the sha256 the stream announced.
    const store = new ContentStore({ root: h.storeRoot });
    const expected = new Map(h.mirror.items.map((i) => [i.sha256, i.size]));
    for (const resource of await h.repos.bootResources.list()) {
      for (const set of await h.repos.resourceSets.listForResource(resource.id)) {
        expect(imageStatus({ newestSet: { complete: set.complete, bytesDone: set.bytesDone, totalBytes: set.size } })).toBe('Synced');
        for (const file of set.files) {
          expect(expected.get(file.sha256)).toBe(file.size);
          const bytes = await readFile(store.pathOf(file.sha256));
          expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
        }
      }
    }

    // The squashfs both subarches share is fetched once.
    const squashfs = h.mirror.items.find((i) => i.ftype === 'squashfs' && i.ref.product.includes(':24.04:amd64:') && i.ref.version === NEWEST);
    expect(h.server.requests.filter((r) => r.path === `/${squashfs?.path}`)).toHaveLength(1);

    const [run] = await h.service.lastRuns(1);
    expect(run).toMatchObject({ outcome: 'succeeded', errors: [] });
    expect(run?.bytes).toBe(finished.bytes);
    expect(h.logs.filter((l) => l.event === 'import.started')).toHaveLength(1);
    const verified = h.logs.filter((l) => l.event === 'import.file.verified');
    expect(verified.length).toBeGreaterThan(0);
    expect(verified[0]).toMatchObject({ image: expect.any(String), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: expect.any(Number), ms: expect.any(Number) });
    expect(h.logs.find((l) => l.event === 'import.finished')).toMatchObject({ outcome: 'succeeded', bytes: finished.bytes });
  });

  it('a no-op re-import fetches only the index and products files and changes nothing', async () => {
    h = await createImportHarness();
    await h.importNow();
    const before = await held(h);
    h.takeRequests();

    const again = await h.importNow();

    expect(again).toMatchObject({ outcome: 'succeeded', changed: false, bytes: 0 });
    const paths = h.takeRequests();
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.every((p) => p.startsWith('/streams/v1/'))).toBe(true);
    expect(await held(h)).toEqual(before);
  });

  it.each([
    [1, ['20250801*']],
    [2, [`${NEWEST}*`, '20250801*']],
  ])('retention %i keeps that many complete sets when a new version appears upstream', async (retention, versions) => {
    h = await createImportHarness({ retention });
    await h.importNow();
    await h.mirror.addVersion('20250801');

    const finished = await h.importNow();

    expect(finished).toMatchObject({ outcome: 'succeeded', changed: true });
    expect((await held(h))['ubuntu/noble amd64/ga-24.04']).toEqual(versions);
    // Blobs nothing references any more are collected; those still referenced stay.
    const store = new ContentStore({ root: h.storeRoot });
    expect(new Set(await store.list())).toEqual(await h.repos.resourceSets.referencedSha256());
  });

  it('keeps an image that vanished from the stream while a selection still matches it', async () => {
    h = await createImportHarness();
    await h.importNow();
    const hwe = h.mirror.items.find((i) => i.ref.product.endsWith(':24.04:amd64:hwe-24.04'));
    await h.mirror.removeProduct(hwe?.ref.product ?? 'missing');

    const finished = await h.importNow();

    expect(finished.outcome).toBe('succeeded');
    expect((await held(h))['ubuntu/noble amd64/hwe-24.04']).toEqual([`${NEWEST}*`]);
  });

  it('removes an image no selection wants any more, and its blobs', async () => {
    h = await createImportHarness({ selections: [NOBLE_AMD64, { os: 'ubuntu', release: 'jammy', arches: ['amd64'] }] });
    await h.importNow();
    expect((await held(h))['ubuntu/jammy amd64/ga-22.04']).toEqual([`${NEWEST}*`]);
    const jammy = (await h.repos.selections.listForSource(h.source.id)).find((s) => s.release === 'jammy');
    await h.repos.selections.delete(h.source.id, jammy?.id ?? -1);

    const finished = await h.importNow();

    expect(finished).toMatchObject({ outcome: 'succeeded', changed: true });
    expect(Object.keys(await held(h)).filter((k) => k.includes('jammy'))).toEqual([]);
    expect((await held(h))['ubuntu/noble amd64/ga-24.04']).toEqual([`${NEWEST}*`]);
    const jammyBlobs = h.mirror.items.filter((i) => i.path.startsWith('jammy/')).map((i) => i.sha256);
    const store = new ContentStore({ root: h.storeRoot });
    const blobs = new Set(await store.list());
    expect(jammyBlobs.filter((sha) => blobs.has(sha))).toEqual([]);
  });
});
