import { afterEach, describe, expect, it } from 'vitest';
import { createRegionMetrics } from '@bootsync/region/metrics';
import { createImportHarness, freePort, NOBLE_AMD64, type ImportHarness } from './import-harness.js';

let h: ImportHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const NEW = '20250801';

async function versions(harness: ImportHarness, architecture: string): Promise<string[]> {
  const resource = await harness.repos.bootResources.findByName('ubuntu/noble', architecture);
  if (!resource) return [];
  return (await harness.repos.resourceSets.listForResource(resource.id)).map((s) => `${s.version}${s.complete ? '*' : ''}`).sort();
}

function newItem(harness: ImportHarness, subarch: string, ftype: string) {
  const item = harness.mirror.items.find((i) => i.ref.version === NEW && i.ftype === ftype && i.ref.product.endsWith(`:24.04:amd64:${subarch}`));
  if (!item) throw new Error(`no ${ftype} of ${subarch} in version ${NEW}`);
  return item;
}

describe('an import never loses what works', () => {
  it('a bad signature deletes nothing and puts the error on the run', async () => {
    h = await createImportHarness();
    await h.importNow();
    const before = (await h.repos.bootResources.list()).map((r) => `${r.name} ${r.architecture}`);
    await h.mirror.tamperSignedContent();

    const finished = await h.importNow();

    expect(finished).toMatchObject({ outcome: 'failed', changed: false });
    expect((await h.repos.bootResources.list()).map((r) => `${r.name} ${r.architecture}`)).toEqual(before);
    expect(await versions(h, 'amd64/ga-24.04')).toEqual(['20250718*']);
    const [run] = await h.service.lastRuns(1);
    expect(run?.errors).toEqual([expect.objectContaining({ item: h.source.url, code: expect.stringMatching(/^SIG_/) })]);
  });

  it('a corrupt file fails only its own set; the previous set stays and other images move on', async () => {
    const metrics = createRegionMetrics();
    h = await createImportHarness({ deps: { metrics } });
    await h.importNow();
    await h.mirror.addVersion(NEW);
    const kernel = newItem(h, 'ga-24.04', 'boot-kernel');
    await h.mirror.corruptFile(kernel.path);

    const finished = await h.importNow();

    expect(finished).toMatchObject({ outcome: 'partial', changed: true });
    expect(await versions(h, 'amd64/ga-24.04')).toEqual(['20250718*', NEW]);
    expect(await versions(h, 'amd64/hwe-24.04')).toEqual([`${NEW}*`]);
    const [run] = await h.service.lastRuns(1);
    expect(run?.errors).toEqual([
      expect.objectContaining({ code: 'STORE_CHECKSUM_MISMATCH', item: expect.stringContaining(`${kernel.ref.product}/${NEW}/boot-kernel`) }),
    ]);
    expect((await metrics.checksumFailures.get()).values[0]?.value).toBe(1);
    expect((await metrics.importsTotal.get()).values.find((v) => v.labels.outcome === 'partial')?.value).toBe(1);
  });

  it('a 404 file is not retried, fails its set, and the run names the item', async () => {
    h = await createImportHarness();
    await h.importNow();
    await h.mirror.addVersion(NEW);
    const initrd = newItem(h, 'hwe-24.04', 'boot-initrd');
    h.server.faults.set(`/${initrd.path}`, { status: 404 });

    const finished = await h.importNow();

    expect(finished.outcome).toBe('partial');
    expect(await versions(h, 'amd64/hwe-24.04')).toEqual(['20250718*', NEW]);
    expect(await versions(h, 'amd64/ga-24.04')).toEqual([`${NEW}*`]);
    expect(h.server.requests.filter((r) => r.path === `/${initrd.path}`)).toHaveLength(1);
    const [run] = await h.service.lastRuns(1);
    expect(run?.errors).toEqual([expect.objectContaining({ code: 'DOWNLOAD_HTTP_STATUS', item: expect.stringContaining('boot-initrd') })]);
  });

  it('an unreachable source fails its own read within its retry budget and blocks no other source', async () => {
    h = await createImportHarness();
    await h.importNow();
    const down = await h.repos.bootSources.create({ url: `http://127.0.0.1:${await freePort()}/`, keyringFilename: h.mirror.keyring.binary, priority: 100 });
    await h.repos.selections.create(down.id, { os: 'ubuntu', release: 'jammy', arches: ['amd64'] });
    await h.mirror.addVersion(NEW);

    const finished = await h.importNow();

    // Within its budget (400 ms here): the default one (60 s) would outlast the test's own timeout (30 s).
    expect(finished.outcome).toBe('partial');
    // The reachable source moved on; with a source unread, clean-up waits (the previous set is not deleted yet).
    expect(await versions(h, 'amd64/ga-24.04')).toEqual(['20250718*', `${NEW}*`]);
    const [run] = await h.service.lastRuns(1);
    expect(run?.errors).toEqual([expect.objectContaining({ item: down.url, code: 'SS_ERR_READ' })]);
    expect(h.logs.some((l) => l.event === 'import.cleanup.skipped')).toBe(true);
  });

  it('a source answering 5xx is read again within its budget; a 4xx is not', async () => {
    h = await createImportHarness();
    h.server.faults.set('/streams/v1/index.sjson', { status: 503, times: 2 });
    expect((await h.importNow()).outcome).toBe('succeeded');
    expect(h.takeRequests().filter((p) => p === '/streams/v1/index.sjson')).toHaveLength(3);

    h.server.faults.set('/streams/v1/index.sjson', { status: 403 });
    expect((await h.importNow()).outcome).toBe('failed');
    expect(h.takeRequests().filter((p) => p === '/streams/v1/index.sjson')).toHaveLength(1);
  });

  it('a source that reads empty deletes nothing', async () => {
    h = await createImportHarness({ spec: { bootloaders: false, centos: false }, selections: [NOBLE_AMD64] });
    await h.importNow();
    const before = (await h.repos.bootResources.list()).map((r) => r.architecture);
    for (const product of new Set(h.mirror.items.map((i) => i.ref.product))) await h.mirror.removeProduct(product);

    const finished = await h.importNow();

    expect(finished).toMatchObject({ outcome: 'failed', changed: false });
    expect((await h.repos.bootResources.list()).map((r) => r.architecture)).toEqual(before);
    expect((await h.service.lastRuns(1))[0]?.errors).toEqual([expect.objectContaining({ code: 'IMPORT_ERR_EMPTY_SOURCE' })]);
  });
});
