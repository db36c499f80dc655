import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPythonFileServer } from '@bootsync/testkit/http';
import { createSignedMirror } from '@bootsync/testkit/mirror';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { waitFor } from '@bootsync/testkit/wait';
import { REGION_BIN, deleteRegionKeys, repoRoot, startBin } from './daemon-bins.js';

/** Makes the region's disk slower than the network (see the file): its download bodies wait, paused. */
const SLOW_DISK = { NODE_OPTIONS: `--import=${join(repoRoot, 'test/fixtures/preload/slow-disk.mjs')}` };

describe('a region importing from python3 -m http.server (HTTP/1.0, Connection: close) onto a slow disk', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('completes the import and keeps running (undici 7.30.2 unpatched ended the process mid-import)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bootsync-conn-close-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // Files just past the body's 64 KiB high-water mark arrive whole while the region waits on the disk.
    const mirror = await createSignedMirror(join(dir, 'upstream'), {
      bootloaders: false,
      centos: false,
      versions: ['20250718'],
      sizes: { 'boot-kernel': 100_000, 'boot-initrd': 200_000, manifest: 90_000, squashfs: 3 * 2 ** 20 + 100_000 },
    });
    const server = await startPythonFileServer(mirror.root);
    cleanups.push(() => server.close());
    const dataDir = join(dir, 'region');
    cleanups.push(() => deleteRegionKeys(dataDir));
    const region = await startBin(
      REGION_BIN,
      ['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--redis-url', testRedisUrl, '--default-source-url', `${server.url}/`, '--default-keyring', mirror.keyring.binary],
      'region.started',
      SLOW_DISK,
    );
    cleanups.push(async () => void (await region.stop()));

    const gone = (): boolean => region.child.exitCode !== null || region.child.signalCode !== null;
    await waitFor('the import to finish, or the region to exit', () => gone() || region.events().some((e) => e.event === 'import.finished'), 30_000);
    expect(gone() ? `exited with ${region.child.exitCode}` : 'running').toBe('running');
    expect(region.events().find((e) => e.event === 'import.finished')).toMatchObject({ outcome: 'succeeded' });
    // Every file of the selected images is stored as it was served.
    const verified = region.events().filter((e) => e.event === 'import.file.verified').map((e) => String(e.sha256));
    const wanted = mirror.items.filter((i) => verified.includes(i.sha256));
    expect(wanted.length).toBeGreaterThanOrEqual(4);
    for (const item of wanted) {
      const stored = await readFile(join(dataDir, 'store', 'sha256', item.sha256.slice(0, 2), item.sha256));
      expect(stored.length).toBe(item.size);
    }
    const health = await fetch(`${region.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
