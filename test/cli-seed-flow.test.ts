import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { createSignedMirror, DEFAULT_RELEASES, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { REGION_BIN as regionBin, deleteRegionKeys, repoRoot, startBin, type Daemon } from './daemon-bins.js';

// The seed's flow, end to end: a real region bin, the real bootsync bin (both built by `tsc -b`), a signed mirror
// served over HTTP, Redis. Delete the default source, add the local mirror with its keyring, select, import, read.
const cliBin = join(repoRoot, 'packages/cli/bin/bootsync.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let mirror: GeneratedMirror;
let server: MisbehavingServer;
let region: Daemon;
let regionUrl: string;

function run(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const bootsync = (...args: string[]): Promise<Run> => run(cliBin, args, { BOOTSYNC_CONFIG_DIR: join(dir, 'config') });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bootsync-seed-'));
  const noble = DEFAULT_RELEASES.filter((r) => r.release === 'noble');
  mirror = await createSignedMirror(join(dir, 'upstream'), { centos: false, releases: noble, arches: ['amd64', 'arm64'] });
  server = await startMisbehavingServer({ root: mirror.root });
  // The default source points at a closed port, standing in for images.maas.io out of reach: the flow deletes it.
  region = await startBin(
    regionBin,
    ['--listen', '127.0.0.1:0', '--redis-url', testRedisUrl, '--default-source-url', 'http://127.0.0.1:9/ephemeral-v3/stable/'],
    'region.started',
    { BOOTSYNC_DATA_DIR: join(dir, 'region') },
  );
  regionUrl = region.url;
});

afterAll(async () => {
  await region?.stop();
  await deleteRegionKeys(join(dir, 'region'));
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the seed flow through the bootsync CLI', () => {
  it('logs in, replaces the default source with a signed local mirror, selects, imports and reads the images', async () => {
    const key = await run(regionBin, ['apikey', '--data-dir', join(dir, 'region')]);
    expect(key.code).toBe(0);
    const login = await bootsync('login', 'seed', `${regionUrl}/MAAS/`, key.stdout.trim());
    expect(login).toMatchObject({ code: 0, stderr: '' });

    const sources = JSON.parse((await bootsync('seed', 'boot-sources', 'read')).stdout) as { id: number; url: string }[];
    expect(sources.map((s) => s.url)).toEqual(['http://127.0.0.1:9/ephemeral-v3/stable']);
    expect(await bootsync('seed', 'boot-source', 'delete', String(sources[0]!.id))).toMatchObject({ code: 0, stdout: '' });

    const created = await bootsync('seed', 'boot-sources', 'create', `url=${server.url}/`, `keyring_filename=${mirror.keyring.binary}`);
    expect(created.code).toBe(0);
    const source = JSON.parse(created.stdout) as { id: number };

    const selected = await bootsync(
      'seed', 'boot-source-selections', 'create', String(source.id),
      'os=ubuntu', 'release=noble', 'arches=amd64', 'subarches=*', 'labels=*',
    );
    expect(selected.code).toBe(0);

    const imported = await bootsync('seed', 'boot-resources', 'import', '--wait', '--poll-interval', '0.2');
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const lines = imported.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Import of boot resources started');
    expect(lines.at(-1)).toMatch(/^Import finished: succeeded, [1-9]\d* bytes$/);
    expect(lines.at(-2)).toMatch(/\] 100%\s+(\d+)\/\1 images$/);

    const table = (await bootsync('seed', 'boot-resources', 'read', '--table')).stdout.trimEnd().split('\n');
    expect(table[0]).toMatch(/\bNAME\b.*\bARCHITECTURE\b/);
    const images = JSON.parse((await bootsync('seed', 'boot-resources', 'read', 'type=synced')).stdout) as {
      name: string;
      architecture: string;
      status: string;
    }[];
    const noble = images.filter((i) => i.name === 'ubuntu/noble');
    expect(noble.length).toBeGreaterThan(0);
    expect(noble.every((i) => i.architecture.startsWith('amd64/') && i.status === 'Synced')).toBe(true);
    expect(images.some((i) => i.architecture.startsWith('arm64/'))).toBe(false);
  });
});
