import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MaasApiClient, apiRootOf } from '@bootsync/cli/api-client';
import { DEFAULT_REDIS_URL } from '@bootsync/shared/config';
import { BootsyncError } from '@bootsync/shared/errors';
import { dataDirLayout, redisPrefixFor } from '@bootsync/region/identity';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { createSignedMirror } from '@bootsync/testkit/mirror';
import { deleteKeys } from '@bootsync/testkit/redis';
import { Children } from './demo/children.js';
import { RedisUnavailableError, findOrStartRedis, withoutPassword } from './demo/redis.js';
import { allSynced, formatStatusTable, type RackImages, type RegionImage } from './demo/status-table.js';

/**
 * `npm run demo [-- --once]`: a throwaway signed stream served on 127.0.0.1, a region and two racks as child
 * processes (the real bins), the boot source set up through the MAAS API, one import, and a status table once both
 * racks hold both images. Everything lives in one temp dir, removed on exit.
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const REGION_BIN = join(repoRoot, 'packages/region/bin/bootsync-region.js');
const RACK_BIN = join(repoRoot, 'packages/rack/bin/bootsync-rack.js');
const RACKS = ['rack-1', 'rack-2'];
const RELEASES = ['noble', 'jammy'];
const SYNC_TIMEOUT_MS = 45_000;

/** The images did not reach every rack in time; `table` is where things stood. */
class DemoSyncTimeoutError extends BootsyncError {
  constructor(
    readonly ms: number,
    readonly table: string,
  ) {
    super('DEMO_SYNC_TIMEOUT', `the images were not Synced on the region and both racks within ${ms / 1000} s:\n${table}`);
  }
}

const say = (text: string): void => void process.stdout.write(`${text}\n`);

/** `--database-url` of the region and its `apikey` when BOOTSYNC_DATABASE_URL is set (the daemons get no BOOTSYNC_* env). */
function databaseArgs(): string[] {
  const url = process.env.BOOTSYNC_DATABASE_URL;
  return url ? ['--database-url', url] : [];
}

async function regionApiKey(dataDir: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [REGION_BIN, 'apikey', '--data-dir', dataDir, ...databaseArgs()]);
  return stdout.trim();
}

/** What an operator would do on the Images page: drop images.maas.io, add the local mirror, pick two images. */
async function useLocalMirror(api: MaasApiClient, url: string, keyring: string): Promise<void> {
  const sources = JSON.parse((await api.call('GET', 'boot-sources/')).body) as { id: number }[];
  for (const source of sources) await api.call('DELETE', `boot-sources/${source.id}/`);
  const created = JSON.parse(
    (await api.call('POST', 'boot-sources/', { fields: [{ name: 'url', value: url }, { name: 'keyring_filename', value: keyring }] })).body,
  ) as { id: number };
  for (const release of RELEASES) {
    const fields = [
      { name: 'os', value: 'ubuntu' },
      { name: 'release', value: release },
      { name: 'arches', value: 'amd64' },
    ];
    await api.call('POST', `boot-sources/${created.id}/selections/`, { fields });
  }
}

async function readStatus(api: MaasApiClient): Promise<{ images: RegionImage[]; racks: RackImages[] }> {
  const images = JSON.parse((await api.call('GET', 'boot-resources/')).body) as RegionImage[];
  const names = (JSON.parse((await api.call('GET', 'rackcontrollers/')).body) as { hostname: string }[]).map((r) => r.hostname);
  const racks = await Promise.all(
    names.map(async (name) => {
      const held = JSON.parse((await api.call('GET', `rackcontrollers/${encodeURIComponent(name)}/`, { op: 'list_boot_images' })).body) as Omit<RackImages, 'name'>;
      return { name, status: held.status, images: held.images };
    }),
  );
  return { images, racks };
}

async function waitForSync(api: MaasApiClient): Promise<string> {
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  for (;;) {
    const { images, racks } = await readStatus(api);
    const table = formatStatusTable(images, racks);
    if (images.length >= RELEASES.length && racks.length === RACKS.length && allSynced(images, racks)) return table;
    if (Date.now() > deadline) throw new DemoSyncTimeoutError(SYNC_TIMEOUT_MS, table);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function run(work: string, children: Children, cleanups: (() => Promise<unknown>)[], once: boolean): Promise<void> {
  const t0 = Date.now();
  const redis = await findOrStartRedis(process.env.BOOTSYNC_REDIS_URL || DEFAULT_REDIS_URL, children, work);
  say(redis.private ? `Started a private redis-server at ${redis.url}` : `Using Redis at ${withoutPassword(redis.url)}`);

  const mirror = await createSignedMirror(join(work, 'stream'), { arches: ['amd64'], versions: ['20250718'], centos: false });
  const server: MisbehavingServer = await startMisbehavingServer({ root: mirror.root });
  cleanups.push(() => server.close());
  say(`Serving a signed stream (throwaway key) at ${server.url}/`);

  const regionDir = join(work, 'region');
  const apiKey = await regionApiKey(regionDir);
  const regionId = (await readFile(dataDirLayout(regionDir).regionId, 'utf8')).trim();
  // On a shared Redis the region's keys (and its racks' queues) are removed on exit; a private one just goes.
  if (!redis.private) cleanups.push(() => deleteKeys(redisPrefixFor(regionId), redis.url));
  const regionArgs = [REGION_BIN, '--data-dir', regionDir, '--listen', '127.0.0.1:0', '--redis-url', redis.url, ...databaseArgs()];
  if (process.env.BOOTSYNC_DATABASE_URL) say(`Region state in PostgreSQL at ${withoutPassword(process.env.BOOTSYNC_DATABASE_URL)}`);
  const started = await children.start('region', process.execPath, regionArgs, (line) => line.event === 'region.started');
  const regionUrl = String(started.url);
  say(`Region ${regionId} at ${regionUrl} (Redis keys ${redisPrefixFor(regionId)}:*)`);

  const api = new MaasApiClient(apiRootOf(`${regionUrl}/MAAS/`), apiKey);
  await useLocalMirror(api, `${server.url}/`, mirror.keyring.binary);
  for (const name of RACKS) {
    const args = [RACK_BIN, '--region-url', regionUrl, '--secret-file', dataDirLayout(regionDir).secret, '--name', name];
    args.push('--data-dir', join(work, name), '--listen', '127.0.0.1:0', '--redis-url', redis.url);
    const rack = await children.start(name, process.execPath, args, (line) => line.event === 'rack.started');
    say(`Rack ${name} at ${String(rack.url)}`);
  }
  await api.call('POST', 'boot-resources/', { op: 'import' });
  say(`Importing ubuntu/${RELEASES.join(' and ubuntu/')} (amd64), then waiting for both racks...`);

  const table = await waitForSync(api);
  say(`\n${table}\n\nSynced in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
  if (once) return;
  say(`\nImages page: ${regionUrl}/MAAS/r/images`);
  say(`API key:     ${apiKey}`);
  say(`CLI:         bootsync login demo ${regionUrl}/MAAS/ ${apiKey}`);
  say(`Logs:        ${children.logDir}/{region,${RACKS.join(',')}}.log`);
  say('Press Ctrl-C to stop the daemons and remove everything.');
  await new Promise<void>(() => undefined);
}

async function main(): Promise<number> {
  const once = process.argv.includes('--once');
  const work = await mkdtemp(join(tmpdir(), 'bootsync-demo-'));
  await mkdir(join(work, 'logs'));
  const children = new Children(join(work, 'logs'));
  const cleanups: (() => Promise<unknown>)[] = [];
  say(`Working in ${work}; each process logs to ${children.logDir}/<name>.log`);
  const interrupted = new Promise<'interrupted'>((resolve) => {
    process.once('SIGINT', () => resolve('interrupted'));
    process.once('SIGTERM', () => resolve('interrupted'));
  });
  let code = 0;
  try {
    const running = run(work, children, cleanups, once);
    // After Ctrl-C, whatever run() was waiting for fails as its children stop; that is expected, not an error.
    running.catch(() => undefined);
    if ((await Promise.race([running, interrupted])) === 'interrupted') say('\nStopping...');
  } catch (err) {
    code = err instanceof RedisUnavailableError ? 2 : 1;
    process.stderr.write(`demo: ${err instanceof BootsyncError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  await children.stopAll();
  for (const cleanup of cleanups.reverse()) await cleanup();
  // A failed demo keeps its logs for the operator; a finished one leaves nothing behind.
  if (code === 1) process.stderr.write(`demo: logs kept in ${children.logDir}\n`);
  else await rm(work, { recursive: true, force: true });
  return code;
}

process.exit(await main());
