import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startPythonFileServer } from '@bootsync/testkit/http';
import { createSignedMirror } from '@bootsync/testkit/mirror';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { waitFor } from '@bootsync/testkit/wait';
import { REGION_BIN, deleteRegionKeys, repoRoot, startBin } from './daemon-bins.js';

const run = promisify(execFile);
const preload = (name: string): string => `--import=${join(repoRoot, 'test/fixtures/preload', name)}`;

/** A copy of the installed undici with our patch reverted: the HTTP client as npm ships it, with its crash. */
async function unpatchedUndici(dir: string): Promise<string> {
  const copy = join(dir, 'node_modules', 'undici');
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await cp(join(repoRoot, 'node_modules', 'undici'), copy, { recursive: true });
  await run('git', ['apply', '-R', '-p3', join(repoRoot, 'patches', 'undici+7.30.2.patch')], { cwd: copy });
  expect(await readFile(join(copy, 'lib/dispatcher/client-h1.js'), 'utf8')).not.toContain('bootsync patch');
  return copy;
}

describe('a region whose HTTP client throws inside a connection (undici 7.30.2 as shipped, nodejs/undici#5360)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('logs download.dependency_fault, resets its connections, retries and completes the import, and keeps running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bootsync-dep-fault-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
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
    // The same slow disk and Connection: close server that ended the region before the patch
    // (region-import.connection-close.test.ts), with the unpatched client.
    const region = await startBin(
      REGION_BIN,
      ['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--redis-url', testRedisUrl, '--default-source-url', `${server.url}/`, '--default-keyring', mirror.keyring.binary],
      'region.started',
      { NODE_OPTIONS: `${preload('slow-disk.mjs')} ${preload('unpatched-undici.mjs')}`, BOOTSYNC_TEST_UNDICI_DIR: await unpatchedUndici(dir) },
    );
    cleanups.push(async () => void (await region.stop()));

    const gone = (): boolean => region.child.exitCode !== null || region.child.signalCode !== null;
    await waitFor('the import to finish, or the region to exit', () => gone() || region.events().some((e) => e.event === 'import.finished'), 60_000);
    expect(gone() ? `exited with ${region.child.exitCode}` : 'running').toBe('running');
    const faults = region.events().filter((e) => e.event === 'download.dependency_fault');
    expect(faults.length).toBeGreaterThanOrEqual(1);
    expect(faults[0]?.err).toMatchObject({ type: 'AssertionError', stack: expect.stringContaining('undici/lib/dispatcher/client-h1.js') });
    expect(region.events().find((e) => e.event === 'import.finished')).toMatchObject({ outcome: 'succeeded' });
    expect((await fetch(`${region.url}/healthz`)).status).toBe(200);
  });
});
