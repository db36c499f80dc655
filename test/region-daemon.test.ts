import { spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMisbehavingServer } from '@bootsync/testkit/http';
import { DEFAULT_RELEASES, createSignedMirror } from '@bootsync/testkit/mirror';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { waitFor } from '@bootsync/testkit/wait';
import { REGION_BIN as bin, deleteRegionKeys, startBin } from './daemon-bins.js';

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const NOBLE = DEFAULT_RELEASES.find((r) => r.release === 'noble')!;

/** Log events of a pino JSON stream, one object a line. */
function events(text: string): { event?: string; url?: string; [k: string]: unknown }[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { event?: string });
}

describe('bootsync-region bin', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function dataDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'bootsync-bin-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  it('apikey prints exactly one line, the same key every time, and creates the private secret', async () => {
    const dir = await dataDir();
    const first = await run(['apikey', '--data-dir', dir]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^[A-Za-z0-9]{18}:[A-Za-z0-9]{18}:[A-Za-z0-9]{32}\n$/);
    expect(events(first.stderr).map((e) => e.event)).toContain('region.apikey_read');
    const second = await run(['apikey'], { BOOTSYNC_DATA_DIR: dir });
    expect(second.stdout).toBe(first.stdout);
    const secret = join(dir, 'secret');
    expect((await readFile(secret, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(secret)).mode & 0o777).toBe(0o600);
  });

  it('refuses a bad setting with one line naming the flag and its env variable, exit 2', async () => {
    const dir = await dataDir();
    const result = await run(['--data-dir', dir], { BOOTSYNC_LISTEN: 'nowhere' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('bootsync-region: --listen: expected HOST:PORT, e.g. 0.0.0.0:5240 or [::1]:5240 (got "nowhere" from env BOOTSYNC_LISTEN)');
    expect(result.stdout).toBe('');
  });

  it.each([
    ['not a database at all', async (file: string) => writeFile(file, 'region data, honest\n'.repeat(500))],
    [
      'a database with a damaged page',
      async (file: string) => {
        // A real region.db (the apikey command creates and migrates it), then garbage over its second page.
        expect((await run(['apikey', '--data-dir', join(file, '..')])).code).toBe(0);
        const fh = await open(file, 'r+');
        await fh.write(Buffer.alloc(4096, 0xa5), 0, 4096, 4096);
        await fh.close();
      },
    ],
  ])('refuses a corrupt region.db (%s) with one line naming it and what to do, exit 2', async (_label, corrupt) => {
    const dir = await dataDir();
    const file = join(dir, 'region.db');
    await corrupt(file);
    for (const args of [['--data-dir', dir, '--listen', '127.0.0.1:0', '--redis-url', testRedisUrl], ['apikey', '--data-dir', dir]]) {
      const result = await run(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^bootsync-region: ${file} is corrupt .*restore it from a backup.*or move it aside`));
    }
  });

  it('imports from its default source at start-up, answers /readyz and /metrics, and stops on SIGTERM with exit 0 within 10 s', async () => {
    const dir = await dataDir();
    const mirror = await createSignedMirror(join(dir, 'upstream'), { bootloaders: false, centos: false, releases: [NOBLE], arches: ['amd64'], versions: ['20250718'] });
    const server = await startMisbehavingServer({ root: mirror.root });
    cleanups.push(() => server.close());
    const regionDir = join(dir, 'region');
    cleanups.push(() => deleteRegionKeys(regionDir));
    // The data dir comes from the environment, as the systemd unit passes it.
    const region = await startBin(
      bin,
      ['--listen', '127.0.0.1:0', '--redis-url', testRedisUrl, '--default-source-url', `${server.url}/`, '--default-keyring', mirror.keyring.binary],
      'region.started',
      { BOOTSYNC_DATA_DIR: regionDir },
    );
    cleanups.push(() => region.kill());
    const url = region.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ status: 'ready' });
    const succeeded = 'bootsync_region_imports_total{outcome="succeeded"} 1';
    await waitFor('a successful import in /metrics', async () => (await (await fetch(`${url}/metrics`)).text()).includes(succeeded), 20_000);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^bootsync_region_files_verified_total [1-9]\d*$/m);
    expect(metrics).toMatch(/^bootsync_region_last_successful_import_timestamp_seconds [1-9]/m);

    const t0 = Date.now();
    expect(await region.stop()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(region.events().map((e) => e.event)).toEqual(expect.arrayContaining(['region.default_source_created', 'region.stopping', 'region.stopped']));
  });
});
