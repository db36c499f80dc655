import { afterEach, describe, expect, it } from 'vitest';
import { ContentStore } from '@bootsync/shared/store';
import { generateTestKey } from '@bootsync/testkit/mirror';
import { createImportHarness, maasCall, sourceProber, startApi, type ApiHarness, type ImportHarness } from '@bootsync/region/testing';
import { completeSets, nobleOnly } from './region-state.js';
import { report } from './report.js';

const KiB = 1024;
const NEW = '20250801';
const SPEC = nobleOnly({ squashfs: 2048 * KiB, 'boot-kernel': 512 * KiB, 'boot-initrd': 768 * KiB });

let h: ImportHarness | undefined;
let api: ApiHarness | undefined;
afterEach(async () => {
  await api?.close();
  await h?.close();
  api = undefined;
  h = undefined;
});

/** `architecture status` of every image, as `maas $PROFILE boot-resources read` shows them. */
async function statuses(a: ApiHarness): Promise<string[]> {
  const res = await maasCall(a, 'GET', 'boot-resources/');
  expect(res.statusCode).toBe(200);
  return (res.json() as { architecture: string; status: string }[]).map((r) => `${r.architecture} ${r.status}`).sort();
}

describe('a source that turns bad after a good import', () => {
  it('a new version under a foreign key or a tampered signature is not fetched; images, blobs and statuses stay; a good signature lets it in', async () => {
    h = await createImportHarness({ spec: SPEC });
    api = await startApi({ imports: h.service, prober: sourceProber }, { repos: h.repos });
    expect((await h.importNow()).outcome).toBe('succeeded');
    const before = { statuses: await statuses(api), sets: await completeSets(h), blobs: await new ContentStore({ root: h.storeRoot }).list() };
    expect(before.statuses).toEqual(['amd64/ga-24.04 Synced', 'amd64/hwe-24.04 Synced']);
    const added = await h.mirror.addVersion(NEW);
    const foreign = await generateTestKey();

    const { mirror } = h;
    const faults = [
      { name: 'signed by another key', apply: () => mirror.resign(foreign.privateKey) },
      {
        name: 'signed text changed',
        apply: async () => {
          await mirror.resign();
          await mirror.tamperSignedContent();
        },
      },
    ];
    let payloadRequestsWhileBad = 0;
    for (const fault of faults) {
      await fault.apply();
      h.takeRequests();
      const finished = await h.importNow();

      expect(finished, fault.name).toMatchObject({ outcome: 'failed', changed: false });
      const payloads = h.takeRequests().filter((p) => !p.startsWith('/streams/'));
      payloadRequestsWhileBad += payloads.length;
      expect(payloads, fault.name).toEqual([]);
      const status = (await maasCall(api, 'GET', 'boot-resources/?op=import_status', [['runs', '1']])).json() as { runs: { errors: { item: string; code: string }[] }[] };
      expect(status.runs[0]?.errors, fault.name).toEqual([{ item: h.source.url, code: expect.stringMatching(/^SIG_/), message: expect.any(String) }]);
      expect(await statuses(api), fault.name).toEqual(before.statuses);
      expect(await completeSets(h), fault.name).toEqual(before.sets);
      expect(await new ContentStore({ root: h.storeRoot }).list(), fault.name).toEqual(before.blobs);
    }

    await mirror.resign();
    const good = await h.importNow();
    expect(good.outcome).toBe('succeeded');
    expect(await completeSets(h)).toEqual([`amd64/ga-24.04 ${NEW}`, `amd64/hwe-24.04 ${NEW}`]);
    expect(await statuses(api)).toEqual(before.statuses);
    report('bad signature after a good one', { faults: faults.length, payloadRequestsWhileBad, imagesKept: before.sets.length, newVersionFiles: added.length, recovered: good.outcome });
  });
});

describe('a source that cuts every connection mid-file', () => {
  it('resumes with Range until each file is whole, and fails only the set of a file that never advances', async () => {
    h = await createImportHarness({ spec: SPEC });
    const cut = 160 * KiB;
    const hweKernel = h.mirror.items.find((i) => i.ftype === 'boot-kernel' && i.ref.product.endsWith(':hwe-24.04'));
    if (!hweKernel) throw new Error('no hwe kernel in the mirror');
    h.server.faults.set('*', { dropAfterBytes: cut });
    h.server.faults.set(`/${hweKernel.path}`, { dropAfterBytes: 0 });

    const finished = await h.importNow();

    expect(finished.outcome).toBe('partial');
    const survived = await completeSets(h);
    expect(survived).toEqual(['amd64/ga-24.04 20250718']);
    const [run] = await h.service.lastRuns(1);
    expect(run?.errors).toEqual([expect.objectContaining({ item: expect.stringContaining(`${hweKernel.ref.product}/20250718/boot-kernel`), code: 'DOWNLOAD_RETRIES_EXHAUSTED' })]);

    const { requests } = h.server;
    const fetched = h.mirror.files.filter((f) => f.path !== hweKernel.path && requests.some((q) => q.path === `/${f.path}`));
    const store = new ContentStore({ root: h.storeRoot });
    let cuts = 0;
    let bytesSent = 0;
    let bytesLost = 0;
    for (const file of fetched) {
      const tries = requests.filter((r) => r.path === `/${file.path}`);
      // One request per `cut` bytes, each asking for the rest from where the last one stopped.
      expect(tries.map((r) => r.range ?? 'whole'), file.path).toEqual(
        Array.from({ length: Math.ceil(file.size / cut) }, (_, i) => (i === 0 ? 'whole' : `bytes=${i * cut}-`)),
      );
      cuts += tries.length - 1;
      bytesSent += tries.reduce((n, r) => n + r.bytesSent, 0);
      if (!(await store.has(file.sha256)) || !(await store.verify(file.sha256))) bytesLost += file.size;
    }
    const wanted = fetched.reduce((n, f) => n + f.size, 0);
    expect(bytesSent).toBe(wanted);
    expect(bytesLost).toBe(0);
    const hweTries = h.server.requests.filter((r) => r.path === `/${hweKernel.path}`).length;

    h.server.faults.clear();
    expect((await h.importNow()).outcome).toBe('succeeded');
    expect(await completeSets(h)).toEqual(['amd64/ga-24.04 20250718', 'amd64/hwe-24.04 20250718']);
    report('connections cut mid-file', { cutEveryBytes: cut, connectionsCut: cuts, filesFetched: fetched.length, bytesSent, bytesNeeded: wanted, bytesLost, neverAdvancingTries: hweTries, setsFailed: 2 - survived.length });
  });
});
