import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSignedMirror } from '@bootsync/testkit/mirror';
import { startMisbehavingServer } from '@bootsync/testkit/http';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { waitFor } from '@bootsync/testkit/wait';
import { partialBytes } from '@bootsync/region/testing';
import { REGION_BIN, deleteRegionKeys, startBin, type Daemon } from './daemon-bins.js';

const MiB = 1024 * 1024;

function startRegion(dataDir: string, sourceUrl: string, keyring: string): Promise<Daemon> {
  return startBin(
    REGION_BIN,
    ['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--redis-url', testRedisUrl, '--default-source-url', sourceUrl, '--default-keyring', keyring],
    'region.started',
  );
}

describe('a region killed mid-import', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('resumes its partial file with a Range request after SIGKILL and re-fetches nothing complete', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bootsync-sigkill-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const mirror = await createSignedMirror(join(dir, 'upstream'), {
      bootloaders: false,
      centos: false,
      versions: ['20250718'],
      sizes: { squashfs: 6 * MiB },
    });
    const server = await startMisbehavingServer({ root: mirror.root });
    cleanups.push(() => server.close());
    const squashfs = mirror.items.find((i) => i.ftype === 'squashfs' && i.path.startsWith('noble/amd64/'));
    const squashfsPath = `/${squashfs?.path}`;
    server.faults.set(squashfsPath, { bytesPerSecond: 1 * MiB });

    const dataDir = join(dir, 'region');
    const storeRoot = join(dataDir, 'store');
    cleanups.push(() => deleteRegionKeys(dataDir));
    const first = await startRegion(dataDir, `${server.url}/`, mirror.keyring.binary);
    cleanups.push(() => first.kill());
    await waitFor('a partial squashfs and the small files stored', async () => {
      const verified = first.events().filter((e) => e.event === 'import.file.verified').length;
      return verified >= 4 && (await partialBytes(storeRoot)) > 512 * 1024;
    });
    await first.kill();
    const kept = await partialBytes(storeRoot);
    const completeBefore = new Set(
      first.events().filter((e) => e.event === 'import.file.verified').map((e) => String(e.sha256)),
    );

    server.faults.clear(squashfsPath);
    const requestsBefore = server.requests.length;
    const second = await startRegion(dataDir, `${server.url}/`, mirror.keyring.binary);
    cleanups.push(async () => void (await second.stop()));
    await waitFor('the resumed import to finish', () => second.events().some((e) => e.event === 'import.finished'), 20_000);

    expect(second.events().find((e) => e.event === 'import.finished')).toMatchObject({ outcome: 'succeeded' });
    const after = server.requests.slice(requestsBefore);
    const resumed = after.filter((r) => r.path === squashfsPath);
    expect(resumed).toHaveLength(1);
    expect(Number(/^bytes=(\d+)-$/.exec(resumed[0]?.range ?? '')?.[1])).toBe(kept);
    // Files completed before the kill are not fetched again: only metadata and the squashfs go over the wire.
    const payloads = after.filter((r) => !r.path.startsWith('/streams/v1/')).map((r) => r.path);
    expect(payloads).toEqual([squashfsPath]);
    const completeItems = mirror.items.filter((i) => completeBefore.has(i.sha256));
    expect(completeItems.length).toBeGreaterThanOrEqual(4);
  });
});
