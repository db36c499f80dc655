import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planImport, type Selection, type WantedSet } from '@bootsync/shared/select';
import { parseIndex, parseProducts, readMirror, type ProductItem } from '@bootsync/shared/streams';
import { planSnapshot, type SnapshotPlan } from '@bootsync/rack/snapshot';
import { createRepositories, openRegionDatabase, type RegionDatabase, type Repositories } from '../src/db/index.js';
import { ensureSetRows } from '../src/import/held-sets.js';
import { buildRegionStream, PRODUCTS_PATH, publishedImages, REGION_CONTENT_ID, type RegionStream } from '../src/region-stream/index.js';
import { realFixtures } from '@bootsync/testkit/fixtures';

const realStream = realFixtures.maasStable2025;
const INDEX = 'streams/v1/index.json';

const all = (os: string, release: string): Selection => ({ os, release, arches: ['*'], subarches: ['*'], labels: ['*'] });
const SELECTIONS = [all('ubuntu', 'noble'), all('ubuntu', 'jammy'), all('centos', 'centos70'), all('centos', '8')];

/** The real noble amd64 product again with a lowlatency kernel (the July 2025 excerpt lists only generic ones). */
function lowlatencyTwin(items: readonly ProductItem[]): ProductItem[] {
  return items
    .filter((i) => i.ref.product === 'com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04')
    .map((i) => ({
      ...i,
      ref: { ...i.ref, product: `${i.ref.product}-lowlatency` },
      fields: { ...i.fields, kflavor: 'lowlatency' },
      path: `${path.posix.dirname(i.path)}/lowlatency/${path.posix.basename(i.path)}`,
      checksums: { sha256: createHash('sha256').update(`${i.checksums.sha256}-lowlatency`).digest('hex') },
    }));
}

let dir: string;
let db: RegionDatabase;
let repos: Repositories;
let stream: RegionStream;
let items: ProductItem[];
let wantedSets: readonly WantedSet[];
/** The rack's plan of its snapshot tree; it throws (SnapshotPlanError) on a stream it cannot lay out. */
const rackPlan = (): SnapshotPlan => planSnapshot(items);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bootsync-region-stream-'));
  db = await openRegionDatabase({ file: path.join(dir, 'region.db') });
  repos = createRepositories(db);
  // The region's rows written by the import's own code for the real stream, every set complete.
  const mirror = await readMirror(realStream, { verify: false });
  const imported = planImport({ sources: [{ sourceId: 1, items: [...mirror.items, ...lowlatencyTwin(mirror.items)], selections: SELECTIONS }], storeHas: () => true, held: [] });
  wantedSets = imported.wantedSets;
  for (const wanted of wantedSets) await repos.resourceSets.markComplete((await ensureSetRows(repos, wanted, () => true)).id);

  stream = buildRegionStream(await publishedImages(repos));
  // Read back as a rack reads it: the index, then each products file it names.
  const index = parseIndex(stream.documents.get(INDEX)!.body, `http://region/${INDEX}`);
  items = index.entries.flatMap((e) => parseProducts(stream.documents.get(e.path)!.body, `http://region/${e.path}`, e.contentId).items);
});

afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('buildRegionStream on resources as the import writes them', () => {
  it("starts from resources whose extra holds what MAAS keeps of them (no kind; bootloader_type on bootloaders, Ubuntu's kflavor)", async () => {
    const extras = (await repos.bootResources.list({})).map((r) => Object.keys(r.extra).sort().join(','));
    expect(new Set(extras)).toEqual(new Set(['subarches,title', 'bootloader_type,subarches,title', 'kflavor,subarches,title']));
  });

  it.each([
    ['ubuntu, generic kernel', 'ubuntu/noble', 'amd64/ga-24.04', { os: 'ubuntu', release: 'noble', subarch: 'ga-24.04', label: 'stable', title: 'Ubuntu 24.04 LTS', version: 'noble', kflavor: 'generic' }, 'ubuntu/amd64/ga-24.04/noble/stable/boot-kernel'],
    ['ubuntu, arm64', 'ubuntu/jammy', 'arm64/ga-22.04', { os: 'ubuntu', release: 'jammy', subarch: 'ga-22.04' }, 'ubuntu/arm64/ga-22.04/jammy/stable/squashfs'],
    ['ubuntu, lowlatency kernel', 'ubuntu/noble', 'amd64/ga-24.04-lowlatency', { os: 'ubuntu', subarch: 'ga-24.04-lowlatency' }, 'ubuntu/amd64/ga-24.04-lowlatency/noble/stable/boot-kernel'],
    ['uefi bootloader (amd64, signed)', 'grub-efi-signed/uefi', 'amd64/generic', { os: 'grub-efi-signed', 'bootloader-type': 'uefi', arch: 'amd64' }, 'bootloader/uefi/amd64'],
    ['uefi bootloader (arm64)', 'grub-efi/uefi', 'arm64/generic', { os: 'grub-efi', 'bootloader-type': 'uefi', arch: 'arm64' }, 'bootloader/uefi/arm64'],
    ['pxe bootloader', 'pxelinux/pxe', 'i386/generic', { os: 'pxelinux', 'bootloader-type': 'pxe', arch: 'i386' }, 'bootloader/pxe/i386'],
    ['open-firmware bootloader', 'grub-ieee1275/open-firmware', 'ppc64el/generic', { 'bootloader-type': 'open-firmware', arch: 'ppc64el' }, 'bootloader/open-firmware/ppc64el'],
    ['centos', 'centos/centos70', 'amd64/generic', { os: 'centos', release: 'centos70', subarch: 'generic', title: 'CentOS 7', version: 'centos70' }, 'centos/amd64/generic/centos70/stable/root-tgz'],
  ])('%s: valid simplestreams fields, laid out where a rack boots it from', (_case, name, architecture, fields, rackPath) => {
    const image = stream.images.find((i) => i.name === name && i.architecture === architecture);
    expect(image, `${name} ${architecture} in the region stream`).toBeDefined();
    const own = items.filter((i) => i.ref.product === image!.product);
    expect(own.length).toBeGreaterThan(0);
    for (const item of own) {
      expect(item.fields).toMatchObject(fields);
      expect(item.ref.version).toBe(image!.version);
      expect(stream.files.get(item.path)).toEqual({ sha256: item.checksums.sha256, size: item.size });
    }
    const plan = rackPlan();
    const laidOut = [...plan.files.map((f) => ({ at: f.path, product: f.ref.product })), ...plan.archives.map((a) => ({ at: a.dir, product: a.ref.product }))];
    expect(laidOut).toContainEqual({ at: rackPath, product: image!.product });
  });

  it('lays out every image it offers, so a rack that synced holds exactly what the region offers', async () => {
    const plan = rackPlan();
    const held = new Set([...plan.files, ...plan.archives].map((e) => `${e.ref.product} ${e.ref.version}`));
    expect(held).toEqual(new Set(stream.images.map((i) => `${i.product} ${i.version}`)));
    expect(stream.images.length).toBe((await repos.bootResources.list({})).length);
  });

  it('publishes the bootloader-type the import recorded, whatever the resource is named', async () => {
    const uefi = wantedSets.find((w) => w.image.identity.name === 'grub-efi-signed/uefi' && w.image.identity.architecture === 'amd64/generic')!;
    const renamed = { ...uefi, image: { ...uefi.image, identity: { ...uefi.image.identity, name: 'grub-efi-signed-2025/secureboot' } } };
    const other = await openRegionDatabase({ file: path.join(dir, 'renamed.db') });
    try {
      const otherRepos = createRepositories(other);
      await otherRepos.resourceSets.markComplete((await ensureSetRows(otherRepos, renamed, () => true)).id);
      const built = buildRegionStream(await publishedImages(otherRepos));
      const products = parseProducts(built.documents.get(PRODUCTS_PATH)!.body, `http://region/${PRODUCTS_PATH}`, REGION_CONTENT_ID);
      expect(products.items.length).toBeGreaterThan(0);
      for (const item of products.items) expect(item.fields).toMatchObject({ os: 'grub-efi-signed-2025', 'bootloader-type': 'uefi' });
    } finally {
      await other.close();
    }
  });

  it('gives the same bytes and ETags for the same sets', async () => {
    const again = buildRegionStream(await publishedImages(repos));
    expect([...again.documents]).toEqual([...stream.documents]);
  });
});
