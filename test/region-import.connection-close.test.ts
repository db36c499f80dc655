import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startPythonFileServer } from '@bootsync/testkit/http';
import { createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { waitFor } from '@bootsync/testkit/wait';
import { REGION_BIN, deleteRegionKeys, repoRoot, startBin, type Daemon } from './daemon-bins.js';

const run = promisify(execFile);
const preload = (name: string): string => `--import=${join(repoRoot, 'test/fixtures/preload', name)}`;
/** Makes the region's disk slower than the network (see the file): its download bodies wait, paused. */
const SLOW_DISK = preload('slow-disk.mjs');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A region importing from `python3 -m http.server` (HTTP/1.0, Connection: close) onto a slow disk, with `env` added
 * to its environment; resolves once the import finished or the region exited.
 */
async function importFromPythonServer(env: NodeJS.ProcessEnv): Promise<{ region: Daemon; mirror: GeneratedMirror; dataDir: string; exited: () => boolean }> {
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
    env,
  );
  cleanups.push(async () => void (await region.stop()));
  const exited = (): boolean => region.child.exitCode !== null || region.child.signalCode !== null;
  await waitFor('the import to finish, or the region to exit', () => exited() || region.events().some((e) => e.event === 'import.finished'), 60_000);
  return { region, mirror, dataDir, exited };
}

/** A copy of the installed undici with our patch reverted: the HTTP client as npm ships it, with its crash. */
async function unpatchedUndici(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bootsync-undici-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const copy = join(dir, 'node_modules', 'undici');
  await mkdir(join(dir, 'node_modules'));
  await cp(join(repoRoot, 'node_modules', 'undici'), copy, { recursive: true });
  await run('git', ['apply', '-R', '-p3', join(repoRoot, 'patches', 'undici+7.30.2.patch')], { cwd: copy });
  expect(await readFile(join(copy, 'lib/dispatcher/client-h1.js'), 'utf8')).not.toContain('bootsync patch');
  return copy;
}

describe('a region importing from python3 -m http.server (HTTP/1.0, Connection: close) onto a slow disk', () => {
  it('runs with the undici fix of patches/ applied (npm ci applies it; a node_modules copied from before needs it too)', async () => {
    const installed = await readFile(join(repoRoot, 'node_modules/undici/lib/dispatcher/client-h1.js'), 'utf8');
    expect(installed.includes('bootsync patch'), 'node_modules/undici is not patched: run npm ci, or npx patch-package').toBe(true);
  });

  // bootsync's own HTTP client is the default for plain http; undici (--download-client undici) must hold up as well.
  it.each(['bootsync', 'undici'])('completes the import and keeps running with --download-client %s (undici 7.30.2 unpatched ended the process mid-import)', async (client) => {
    const { region, mirror, dataDir, exited } = await importFromPythonServer({ NODE_OPTIONS: SLOW_DISK, BOOTSYNC_DOWNLOAD_CLIENT: client });
    expect(exited() ? `exited with ${region.child.exitCode}` : 'running').toBe('running');
    expect(region.events().find((e) => e.event === 'import.finished')).toMatchObject({ outcome: 'succeeded' });
    expect(region.events().filter((e) => e.event === 'download.dependency_fault')).toEqual([]);
    // Every file of the selected images is stored as it was served.
    const verified = region.events().filter((e) => e.event === 'import.file.verified').map((e) => String(e.sha256));
    const wanted = mirror.items.filter((i) => verified.includes(i.sha256));
    expect(wanted.length).toBeGreaterThanOrEqual(4);
    for (const item of wanted) {
      const stored = await readFile(join(dataDir, 'store', 'sha256', item.sha256.slice(0, 2), item.sha256));
      expect(stored.length).toBe(item.size);
    }
    expect((await fetch(`${region.url}/healthz`)).status).toBe(200);
  });

  it('with undici as npm ships it (nodejs/undici#5360): logs download.dependency_fault, resets its connections, completes the import and keeps running', async () => {
    const env = {
      NODE_OPTIONS: `${SLOW_DISK} ${preload('unpatched-undici.mjs')}`,
      BOOTSYNC_TEST_UNDICI_DIR: await unpatchedUndici(),
      // Payloads through undici (in the download threads, which load the same preloads).
      BOOTSYNC_DOWNLOAD_CLIENT: 'undici',
    };
    const { region, exited } = await importFromPythonServer(env);
    expect(exited() ? `exited with ${region.child.exitCode}` : 'running').toBe('running');
    const faults = region.events().filter((e) => e.event === 'download.dependency_fault');
    expect(faults.length).toBeGreaterThanOrEqual(1);
    expect(faults[0]?.err).toMatchObject({ type: 'AssertionError', stack: expect.stringContaining('undici/lib/dispatcher/client-h1.js') });
    expect(region.events().find((e) => e.event === 'import.finished')).toMatchObject({ outcome: 'succeeded' });
    expect((await fetch(`${region.url}/healthz`)).status).toBe(200);
  });
});
