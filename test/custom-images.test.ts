import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { eventually } from '@bootsync/testkit/wait';
import { repoRoot, runBootsync, type CliRun } from './daemon-bins.js';
import { startRackScene, type RackScene } from './rack-daemons.js';

// A custom image end to end: uploaded with the real bootsync bin through the chunked path, published by the real
// region bin, pulled by the real rack bin into custom/<arch>/<subarch>/<name>/uploaded/ (MAAS's rack layout),
// kept by an import and its clean-up, and gone from the rack once deleted.
const MiB = 1024 * 1024;
let scene: RackScene;
let image: Buffer;
let imageFile: string;

const bootsync = (...args: string[]): Promise<CliRun> => runBootsync(join(scene.dir, 'config'), args);

async function served(path: string): Promise<{ status: number; sha256: string }> {
  const res = await request(`${scene.rack.url}/images/${path}`);
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, sha256: createHash('sha256').update(body).digest('hex') };
}

beforeAll(async () => {
  scene = await startRackScene({ rack: 'rack-custom', redisUrl: testRedisUrl, squashfsBytes: 64 * 1024 });
  image = Buffer.alloc(9 * MiB + 7);
  for (let i = 0; i < image.length; i += 4096) image.writeUInt32LE(i, i);
  imageFile = join(scene.dir, 'image.raw');
  await writeFile(imageFile, image);
  const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
    execFile(process.execPath, [join(repoRoot, 'packages/region/bin/bootsync-region.js'), 'apikey', '--data-dir', scene.region.dataDir], (err, out) => (err ? reject(err) : resolve({ stdout: out }))),
  );
  expect((await bootsync('login', 'admin', `${scene.region.url}/MAAS/`, stdout.trim())).code).toBe(0);
}, 60_000);
afterAll(async () => scene?.close());

const RACK_PATH = 'custom/amd64/generic/e2e/uploaded/root-dd.raw';

describe('a custom image', () => {
  it('goes up through the bootsync CLI in 4 MiB chunks and reaches the rack where MAAS racks lay it out', async () => {
    const run = await bootsync('admin', 'boot-resources', 'create', 'name=custom/e2e', 'title=End to end', 'architecture=amd64/generic', 'filetype=ddraw', `content@=${imageFile}`);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({ name: 'custom/e2e', type: 'Uploaded', status: expect.stringMatching(/^(Synced|Syncing to rack controller\(s\)|Waiting for rack controller\(s\) to sync)$/) });
    const sha256 = createHash('sha256').update(image).digest('hex');
    await eventually(async () => ((await served(RACK_PATH)).status === 200 ? true : undefined), 20_000, 'the rack serves the upload');
    expect(await served(RACK_PATH)).toEqual({ status: 200, sha256 });
    const events = scene.region.events().filter((e) => e.event === 'upload.published');
    expect(events).toHaveLength(1);
  }, 60_000);

  it('survives an import and its clean-up', async () => {
    const finished = (): number => scene.region.events().filter((e) => e.event === 'import.finished').length;
    const before = finished();
    await scene.region.api('boot-resources/?op=import', 'POST');
    await eventually(async () => (finished() > before ? true : undefined), 20_000, 'the import finished');
    expect(scene.region.events().some((e) => e.event === 'import.cleanup.skipped')).toBe(false);
    const uploaded = (await scene.region.api('boot-resources/?type=uploaded')) as { name: string; status: string }[];
    expect(uploaded.map((r) => r.name)).toEqual(['custom/e2e']);
    expect((await served(RACK_PATH)).status).toBe(200);
  }, 60_000);

  it('leaves the rack once deleted', async () => {
    const [resource] = (await scene.region.api('boot-resources/?type=uploaded')) as { id: number }[];
    const run = await bootsync('admin', 'boot-resource', 'delete', String(resource!.id));
    expect(run.code).toBe(0);
    await scene.region.api('rackcontrollers/?op=import_boot_images', 'POST');
    await eventually(async () => ((await served(RACK_PATH)).status === 404 ? true : undefined), 20_000, 'the rack dropped the upload');
  }, 60_000);
});
