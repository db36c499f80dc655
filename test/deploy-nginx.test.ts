import { mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flipByte } from '@bootsync/testkit/damage';
import { startMisbehavingServer } from '@bootsync/testkit/http';
import { DEFAULT_RELEASES, createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { freePort, pausedGet } from '@bootsync/testkit/net';
import { frontSubstitutions, startNginx, type NginxInstance } from '@bootsync/testkit/nginx';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { eventually } from '@bootsync/testkit/wait';
import { runBootsync } from './daemon-bins.js';
import { imagesRead, rackController, startRackBin, startRegionBin, type Daemon, type RegionBin } from './rack-daemons.js';

// deploy/nginx/rack.conf and region.conf as shipped, run by a real nginx in front of the real bins: only the data
// dirs and the ports differ (testkit/nginx substitutes them and fails if they are no longer in the files).
const KERNEL = 'ubuntu/amd64/ga-24.04/noble/stable/boot-kernel';
const SQUASHFS = 'ubuntu/amd64/ga-24.04/noble/stable/squashfs';
const SIZES = { 'boot-kernel': 1_200_000, 'boot-initrd': 300_000, squashfs: 24 << 20 };

let dir: string;
let mirror: GeneratedMirror;
let region: RegionBin;
let rack: Daemon;
let regionFront: NginxInstance;
let rackFront: NginxInstance;
const rackName = 'rack-nginx';
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bootsync-nginx-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  mirror = await createSignedMirror(join(dir, 'upstream'), {
    bootloaders: false, centos: false, releases: DEFAULT_RELEASES.filter((r) => r.release === 'noble'), arches: ['amd64'], versions: ['20250718'], sizes: SIZES,
  });
  const source = await startMisbehavingServer({ root: mirror.root });
  cleanups.push(() => source.close());

  const [regionPort, regionFrontPort, rackPort, rackFrontPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const regionDir = join(dir, 'region');
  region = await startRegionBin({
    dataDir: regionDir, redisUrl: testRedisUrl, sourceUrl: `${source.url}/`, keyring: mirror.keyring.binary, listen: `127.0.0.1:${regionPort}`,
    syncInterval: '1m', flags: ['--accel-redirect', '/_bootsync/store/'],
  });
  cleanups.push(() => region.dropRedisKeys(), () => region.kill());
  regionFront = await startNginx('region.conf', dir, regionFrontPort, frontSubstitutions('region', regionDir, regionPort, regionFrontPort));
  cleanups.push(() => regionFront.close());
  await eventually(() => imagesRead(region, 'Synced'), 30_000, 'the first import');

  const rackDir = join(dir, 'rack');
  rack = await startRackBin({
    regionUrl: regionFront.url, secretFile: region.secretFile, name: rackName, dataDir: rackDir, redisUrl: testRedisUrl,
    flags: ['--listen', `127.0.0.1:${rackPort}`, '--accel-redirect', '/_bootsync/rack/'],
  });
  cleanups.push(() => rack.kill());
  rackFront = await startNginx('rack.conf', dir, rackFrontPort, frontSubstitutions('rack', rackDir, rackPort, rackFrontPort));
  cleanups.push(() => rackFront.close());
  await rackSynced();
}, 90_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const rackDir = (): string => join(dir, 'rack');
const rackSynced = (): Promise<true> =>
  eventually(async () => ((await rackController(region, rackName)).image_sync_status === 'synced' ? true : undefined), 40_000, 'the rack synced');

async function get(url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') {
  const r = await request(url, { method, headers });
  return { status: r.statusCode, headers: r.headers, body: Buffer.from(await r.body.arrayBuffer()) };
}

/** The mirror's bytes of the ga-24.04 payload `ftype` (squashfs, boot-kernel) of a version. */
async function upstreamBytes(version: string, ftype: string): Promise<Buffer> {
  const item = mirror.items.find((i) => i.ref.version === version && i.ftype === ftype && i.ref.product.includes('ga-24.04'));
  if (!item) throw new Error(`no ${ftype} of ${version} in the mirror`);
  return readFile(join(mirror.root, item.path));
}

describe('deploy/nginx/region.conf in front of the region (--accel-redirect)', () => {
  it('a rack syncs through it: the region checks who asks and answers X-Accel-Redirect, nginx sends the blob with its Range and ETag', async () => {
    const held = JSON.parse(await readFile(join(rackDir(), 'current', '.snapshot.json'), 'utf8')) as { plan: { files: { path: string; sha256: string }[] } };
    const kernel = held.plan.files.find((f) => f.path === KERNEL)!;
    expect((await readFile(join(rackDir(), 'current', KERNEL))).equals(await upstreamBytes('20250718', 'boot-kernel'))).toBe(true);

    const blobUrl = (front: string): string => `${front}/MAAS/images-stream/ubuntu/amd64/ga-24.04/noble/20250718/boot-kernel`;
    const auth = { authorization: region.authorization };
    // The daemon itself hands the body over: no bytes, the internal location of the blob.
    const own = await get(blobUrl(region.url), auth);
    expect(own.status).toBe(200);
    expect(own.headers['x-accel-redirect']).toBe(`/_bootsync/store/sha256/${kernel.sha256.slice(0, 2)}/${kernel.sha256}`);
    expect(own.body.length).toBe(0);
    // Through nginx: the bytes, with the region's ETag; Range and If-Range answered by nginx against that ETag.
    const whole = await get(blobUrl(regionFront.url), auth);
    expect(whole.status).toBe(200);
    expect(whole.headers.server).toBe('nginx');
    expect(whole.headers.etag).toBe(`"${kernel.sha256}"`);
    expect(whole.body.equals(await upstreamBytes('20250718', 'boot-kernel'))).toBe(true);
    const part = await get(blobUrl(regionFront.url), { ...auth, range: 'bytes=1000-1999', 'if-range': `"${kernel.sha256}"` });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${whole.body.length}`);
    expect(part.body.equals(whole.body.subarray(1000, 2000))).toBe(true);
    expect((await get(blobUrl(regionFront.url), { ...auth, range: 'bytes=1000-1999', 'if-range': '"another"' })).status).toBe(200);
    expect((await get(blobUrl(regionFront.url), { ...auth, 'if-none-match': `"${kernel.sha256}"` })).status).toBe(304);
    // Nobody gets a blob without a rack token or an API key, and the store is not reachable as such.
    expect((await get(blobUrl(regionFront.url))).status).toBe(401);
    expect((await get(`${regionFront.url}${own.headers['x-accel-redirect']}`, auth)).status).toBe(404);
    // The API and the region's own endpoints pass through.
    expect((await get(`${regionFront.url}/healthz`)).status).toBe(200);
    const metrics = (await get(`${regionFront.url}/metrics`)).body.toString();
    expect(Number(/^bootsync_region_stream_bytes_served_total (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(SIZES.squashfs);
  });
});

describe('deploy/nginx/region.conf passes the MAAS API through', () => {
  it("takes a custom image uploaded by the bootsync CLI in 4 MiB chunks (nginx's 1 MiB body limit lifted), which reaches the rack's nginx", async () => {
    const image = Buffer.alloc(9 * 1024 * 1024 + 7);
    for (let i = 0; i < image.length; i += 4096) image.writeUInt32LE(i, i);
    const imageFile = join(dir, 'custom.raw');
    await writeFile(imageFile, image);
    const config = join(dir, 'cli');
    expect((await runBootsync(config, ['login', 'admin', `${regionFront.url}/MAAS/`, region.apiKey])).code).toBe(0);
    const run = await runBootsync(config, ['admin', 'boot-resources', 'create', 'name=custom/nginx', 'architecture=amd64/generic', 'filetype=ddraw', `content@=${imageFile}`]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const served = await eventually(async () => {
      const r = await get(`${rackFront.url}/images/custom/amd64/generic/nginx/uploaded/root-dd.raw`);
      return r.status === 200 ? r : undefined;
    }, 30_000, "the upload on the rack's nginx");
    expect(served.body.equals(image)).toBe(true);
  }, 60_000);
});

describe('deploy/nginx/rack.conf in front of the rack', () => {
  it("serves /images/ from the current snapshot itself, with the daemon's ETag, Last-Modified, Range and 304", async () => {
    const daemonHead = await get(`${rack.url}/images/${KERNEL}`, {}, 'HEAD');
    const viaNginx = await get(`${rackFront.url}/images/${KERNEL}`);
    expect(viaNginx.status).toBe(200);
    expect(viaNginx.headers.server).toBe('nginx');
    expect(viaNginx.body.equals(await upstreamBytes('20250718', 'boot-kernel'))).toBe(true);
    for (const name of ['etag', 'last-modified', 'content-length', 'content-type', 'accept-ranges']) {
      expect(viaNginx.headers[name], name).toBe(daemonHead.headers[name]);
    }
    const etag = String(viaNginx.headers.etag);
    const part = await get(`${rackFront.url}/images/${KERNEL}`, { range: 'bytes=-100', 'if-range': etag });
    expect(part.status).toBe(206);
    expect(part.body.equals(viaNginx.body.subarray(-100))).toBe(true);
    expect((await get(`${rackFront.url}/images/${KERNEL}`, { 'if-none-match': etag })).status).toBe(304);
    // What the daemon refuses, nginx refuses: the snapshot's manifest (a hidden name).
    expect((await get(`${rackFront.url}/images/.snapshot.json`)).status).toBe(404);
    // The daemon answers the rest behind it.
    expect(JSON.parse((await get(`${rackFront.url}/readyz`)).body.toString())).toMatchObject({ ready: true });
    expect((await get(`${rackFront.url}/metrics`)).body.toString()).toMatch(/^bootsync_rack_images_requests_in_flight\{rack="rack-nginx"\} 0$/m);
  });

  it("with --accel-redirect the daemon's own /images/ hands the file to nginx's internal location, which outsiders cannot reach", async () => {
    const own = await get(`${rack.url}/images/${KERNEL}`);
    const snapshot = await readlink(join(rackDir(), 'current'));
    expect(own.headers['x-accel-redirect']).toBe(`/_bootsync/rack/${snapshot}/${KERNEL}`);
    expect(own.body.length).toBe(0);
    expect((await readFile(join(rackDir(), snapshot, KERNEL))).equals(await upstreamBytes('20250718', 'boot-kernel'))).toBe(true);
    expect((await get(`${rackFront.url}/_bootsync/rack/${snapshot}/${KERNEL}`)).status).toBe(404);
  });

  it('a snapshot swap while a client reads: that reader gets its whole file, the next request the new one', async () => {
    const before = await readlink(join(rackDir(), 'current'));
    const old = await upstreamBytes('20250718', 'squashfs');
    const reader = pausedGet(`${rackFront.url}/images/${SQUASHFS}`);
    await reader.started;
    await mirror.addVersion('20250801');
    await region.api('boot-resources/?op=import', 'POST');
    await eventually(async () => ((await readlink(join(rackDir(), 'current'))) !== before ? true : undefined), 60_000, 'a new snapshot on the rack');
    await rackSynced();
    const { head, body } = await reader.finish();
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(body.length).toBe(old.length);
    expect(body.equals(old)).toBe(true);
    const next = await get(`${rackFront.url}/images/${SQUASHFS}`);
    expect(next.body.equals(await upstreamBytes('20250801', 'squashfs'))).toBe(true);
  }, 90_000);

  it('a file the rack withholds (its bytes changed after verification) is a 404 through nginx at once, never the wrong bytes, until repaired', async () => {
    const good = await upstreamBytes('20250801', 'boot-kernel');
    const served = await get(`${rackFront.url}/images/${KERNEL}`);
    expect(served.body.equals(good)).toBe(true);
    // The region's copy goes bad too, so the rack's repair fails and the file stays withheld while we look.
    const sha256 = (JSON.parse(await readFile(join(rackDir(), 'current', '.snapshot.json'), 'utf8')) as { plan: { files: { path: string; sha256: string }[] } }).plan.files.find(
      (f) => f.path === KERNEL,
    )!.sha256;
    const regionBlob = join(region.dataDir, 'store', 'sha256', sha256.slice(0, 2), sha256);
    await writeFile(regionBlob, Buffer.alloc(good.length, 'rotten '));
    await flipByte(join(rackDir(), 'current', KERNEL), 600_000);
    const asked = Date.now();
    await region.api(`rackcontrollers/${rackName}/?op=import_boot_images`, 'POST');
    await eventually(
      async () => rack.events().find((e) => e.event === 'rack.scrub.mismatch' && e.file === KERNEL && Date.parse(String(e.time)) >= asked - 1000),
      20_000,
      'the sync finding the changed kernel',
    );
    // nginx opened the file a moment ago (above): no cached descriptor keeps serving it once it is unlinked.
    expect((await get(`${rackFront.url}/images/${KERNEL}`)).status).toBe(404);
    await eventually(async () => (rack.events().some((e) => e.event === 'rack.sync.failed' && Date.parse(String(e.time)) >= asked) ? true : undefined), 20_000, 'the repair failing');
    expect((await get(`${rackFront.url}/images/${KERNEL}`)).status).toBe(404);

    await writeFile(regionBlob, good);
    await region.api(`rackcontrollers/${rackName}/?op=import_boot_images`, 'POST');
    // Withheld until repaired: 404s, then the verified bytes, never the changed ones.
    await eventually(async () => {
      const r = await get(`${rackFront.url}/images/${KERNEL}`);
      if (r.status === 200 && !r.body.equals(good)) throw new Error('nginx served the changed bytes');
      return r.status === 200 ? true : undefined;
    }, 30_000, 'the kernel served again');
  }, 60_000);
});
