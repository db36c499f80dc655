import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMisbehavingServer, startPythonFileServer } from '@bootsync/testkit/http';
import { createSignedMirror } from '@bootsync/testkit/mirror';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { waitFor } from '@bootsync/testkit/wait';
import { REGION_BIN, deleteRegionKeys, repoRoot, startBin } from './daemon-bins.js';

// The operator's local mirror, end to end: `bootsync stream mirror` from a signed upstream, the directory served by a
// plain HTTP server (Python's http.server), and a region importing from it with the upstream's own keyring.
const cliBin = join(repoRoot, 'packages/cli/bin/bootsync.js');

describe('a region importing from a mirror built by bootsync stream mirror', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('imports the selected images through a plain HTTP server, verified with the upstream keyring', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bootsync-local-mirror-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const upstream = await createSignedMirror(join(dir, 'upstream'));
    const source = await startMisbehavingServer({ root: upstream.root });
    const local = join(dir, 'local');
    const args = ['stream', 'mirror', `${source.url}/`, local, '--keyring', upstream.keyring.binary, 'arch=amd64', 'os~^(ubuntu|grub-efi-signed|pxelinux)$', '--max', '1'];
    const code = await new Promise<number>((resolve) => execFile(process.execPath, [cliBin, ...args], (e) => resolve(e ? Number(e.code ?? 1) : 0)));
    expect(code).toBe(0);
    await source.close(); // from here on only the local mirror exists

    const plain = await startPythonFileServer(local);
    cleanups.push(() => plain.close());
    const dataDir = join(dir, 'region');
    cleanups.push(() => deleteRegionKeys(dataDir));
    // The region's default source and selection (ubuntu/noble amd64, with the bootloaders), as a fresh MAAS has.
    const region = await startBin(
      REGION_BIN,
      ['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--redis-url', testRedisUrl, '--default-source-url', `${plain.url}/`, '--default-keyring', upstream.keyring.binary],
      'region.started',
    );
    cleanups.push(() => region.stop());
    await waitFor('the import to finish', () => region.events().some((e) => e.event === 'import.finished'), 20_000);

    expect(region.events().find((e) => e.event === 'import.finished')).toMatchObject({ outcome: 'succeeded' });
    const verified = region.events().filter((e) => e.event === 'import.file.verified');
    // A file shared by several images (the squashfs) names them all.
    const images = new Set(verified.flatMap((e) => String(e.image).split(', ')));
    expect([...images].sort()).toEqual(['grub-efi-signed/uefi amd64/generic', 'ubuntu/noble amd64/ga-24.04', 'ubuntu/noble amd64/hwe-24.04']);
  });
});
