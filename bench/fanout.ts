/**
 * Fan-out benchmark: one region (the real bin) and N racks (the real bin, default 8) on 127.0.0.1, the sync interval
 * at 5 minutes. The region imports ~512 MiB of new images from a generated signed stream served by nginx; the racks
 * pull them at once (the import's "changed" trigger, not the schedule). Reported: aggregate rack MB/s beside N
 * parallel `curl -o` of the same files from nginx, time from the import's end to every rack "synced", and the
 * duration of a no-op rack sync. See bench/README.md.
 *
 *   npm run bench:fanout -- [--racks 8] [--size-mib 512] [--dir /tmp]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { bearer, REGISTER_PATH, registrationRequest, STREAM_INDEX_PATH, STREAM_PATH } from '@bootsync/shared/rack-protocol';
import { redisPrefixFor } from '@bootsync/region/identity';
import { DEFAULT_RELEASES, createSignedMirror } from '@bootsync/testkit/mirror';
import { checkFreeDisk, mb, processCpuSeconds, sh, timed } from './lib/machine.js';
import { startStaticServer } from './lib/nginx.js';

const MiB = 2 ** 20;
const REDIS_URL = process.env.BOOTSYNC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const REGION_BIN = path.join(repoRoot, 'packages/region/bin/bootsync-region.js');
const RACK_BIN = path.join(repoRoot, 'packages/rack/bin/bootsync-rack.js');

const { values: args } = parseArgs({
  options: {
    racks: { type: 'string', default: '8' },
    'size-mib': { type: 'string', default: '512' },
    dir: { type: 'string', default: tmpdir() },
  },
});

type LogEvent = { event?: string; time?: string; [k: string]: unknown };

/** When a pino line was written (ISO time), in ms since the epoch. */
const at = (e: LogEvent): number => Date.parse(String(e.time));

/** A bin run as a child process, its pino lines parsed. */
interface Daemon {
  readonly child: ChildProcess;
  events(): LogEvent[];
  waitFor(event: string, count?: number, ms?: number): Promise<LogEvent>;
}

function startDaemon(bin: string, argv: string[]): Daemon {
  const child = spawn(process.execPath, [bin, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const events = (): LogEvent[] => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogEvent);
  return {
    child,
    events,
    async waitFor(event, count = 1, ms = 600_000) {
      for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(20)) {
        if (child.exitCode !== null) throw new Error(`${bin} exited with ${child.exitCode} before ${event}`);
        const seen = events().filter((e) => e.event === event);
        if (seen.length >= count) return seen[count - 1]!;
      }
      throw new Error(`${bin}: no ${event} within ${ms} ms`);
    },
  };
}

/** What `maas login` signs with: PLAINTEXT OAuth, empty consumer secret. */
function oauth(apiKey: string): string {
  const [consumer, token, secret] = apiKey.trim().split(':');
  const nonce = Math.random().toString(36).slice(2);
  return `OAuth oauth_version="1.0", oauth_signature_method="PLAINTEXT", oauth_consumer_key="${consumer}", oauth_token="${token}", oauth_signature="&${secret}", oauth_nonce="${nonce}", oauth_timestamp="${Math.floor(Date.now() / 1000)}"`;
}

interface RackRow {
  readonly hostname: string;
  readonly image_sync_status: string;
  readonly last_image_sync: string | null;
}

async function main(): Promise<void> {
  const rackCount = Number(args.racks);
  const sizeMib = Number(args['size-mib']);
  const work = await mkdtemp(path.join(args.dir!, 'bootsync-bench-fanout-'));
  const stops: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true })];
  try {
    // Mirror + region store + every rack's cache + every curl copy, with a margin.
    await checkFreeDisk(work, sizeMib * MiB * (2 + 2 * rackCount) * 1.1);
    // noble amd64 has two products (ga, hwe) sharing one squashfs: kernel + initrd twice (16 + 48 MiB of 512), the
    // rest squashfs.
    const kernel = Math.round((sizeMib * MiB) / 32);
    const initrd = 3 * kernel;
    const upstream = path.join(work, 'upstream');
    await mkdir(upstream);
    const mirror = await createSignedMirror(upstream, {
      bootloaders: false, centos: false, releases: DEFAULT_RELEASES.filter((r) => r.release === 'noble'), arches: ['amd64'], versions: ['20250718'],
      sizes: { 'boot-kernel': kernel, 'boot-initrd': initrd, squashfs: sizeMib * MiB - 2 * (kernel + initrd) },
    });
    const nginx = await startStaticServer(upstream, work);
    stops.push(() => nginx.close());

    // The stream appears under live/ only once the racks are up, so their first sync holds nothing.
    const regionDir = path.join(work, 'region');
    const region = startDaemon(REGION_BIN, [
      '--data-dir', regionDir, '--listen', '127.0.0.1:0', '--redis-url', REDIS_URL, '--sync-interval', '5m',
      '--default-source-url', `${nginx.url}/live/`, '--default-keyring', mirror.keyring.binary,
    ]);
    stops.push(async () => stopChild(region.child), () => dropRegionKeys(regionDir));
    const regionUrl = String((await region.waitFor('region.started')).url);
    await region.waitFor('import.failed', 1, 60_000);
    const apiKey = (await promisify(execFile)(process.execPath, [REGION_BIN, 'apikey', '--data-dir', regionDir])).stdout;
    const api = async (method: string, route: string): Promise<unknown> => {
      const res = await fetch(`${regionUrl}/MAAS/api/2.0/${route}`, { method, headers: { authorization: oauth(apiKey) } });
      if (!res.ok) throw new Error(`${method} ${route}: HTTP ${res.status} ${await res.text()}`);
      return res.headers.get('content-type')?.includes('json') ? res.json() : res.text();
    };
    const rackRows = async (): Promise<RackRow[]> => (await api('GET', 'rackcontrollers/')) as RackRow[];

    const racks = Array.from({ length: rackCount }, (_, i) => {
      const rack = startDaemon(RACK_BIN, [
        '--region-url', regionUrl, '--secret-file', path.join(regionDir, 'secret'), '--name', `bench-rack-${i}`,
        '--data-dir', path.join(work, `rack-${i}`), '--listen', '127.0.0.1:0', '--redis-url', REDIS_URL,
      ]);
      stops.push(async () => stopChild(rack.child));
      return rack;
    });
    const rackUrls = await Promise.all(racks.map(async (r) => String((await r.waitFor('rack.started')).url)));
    await until(async () => {
      const rows = await rackRows();
      return rows.length === rackCount && rows.every((r) => r.image_sync_status === 'synced');
    }, 'every rack synced (empty)');

    await rename(mirror.root, path.join(upstream, 'live'));
    const imports = region.events().filter((e) => e.event === 'import.finished').length;
    await api('POST', 'boot-resources/?op=import');
    const importEnd = at(await region.waitFor('import.finished', imports + 1));
    // CPU of the region (serving) and the racks (receiving, hashing, writing) over the transfer: is it CPU-bound?
    const cpuOf = (): Promise<number[]> => Promise.all([region, ...racks].map((d) => processCpuSeconds(d.child.pid!)));
    const cpuBefore = await cpuOf();
    await until(async () => (await rackRows()).every((r) => r.image_sync_status === 'synced') && racks.every((r) => published(r) !== undefined), 'every rack synced');
    const allSynced = Date.now();
    const cpuUsed = (await cpuOf()).map((c, i) => c - (cpuBefore[i] ?? 0));
    const regionCpu = cpuUsed[0] ?? 0;
    const racksCpu = cpuUsed.slice(1).reduce((sum, c) => sum + c, 0);
    const syncs = racks.map((r) => published(r)!);
    const rackBytes = syncs.reduce((sum, s) => sum + Number(s.bytes), 0);
    const lastPublished = Math.max(...syncs.map(at));
    const slowestMs = Math.max(...syncs.map((s) => Number(s.ms)));
    const rackMBps = rackBytes / 1e6 / ((lastPublished - importEnd) / 1000);

    // No-op syncs: a registration makes the region queue an immediate sync for every rack.
    const before = new Map((await rackRows()).map((r) => [r.hostname, r.last_image_sync]));
    const secret = (await readFile(path.join(regionDir, 'secret'), 'utf8')).trim();
    const probe = await fetch(new URL(REGISTER_PATH, regionUrl), {
      method: 'POST', headers: { authorization: bearer(secret), 'content-type': 'application/json' }, body: JSON.stringify(registrationRequest('bench-probe')),
    });
    if (!probe.ok) throw new Error(`probe registration: HTTP ${probe.status}`);
    const { token } = (await probe.json()) as { token: string };
    await until(async () => (await rackRows()).filter((r) => r.hostname !== 'bench-probe').every((r) => r.last_image_sync !== before.get(r.hostname)), 'a no-op sync on every rack');
    const noopMs = await Promise.all(rackUrls.map(async (url) => 1000 * gauge(await (await fetch(`${url}/metrics`)).text(), 'bootsync_rack_last_sync_duration_seconds')));

    // The reference: N curl processes at once, each fetching every file the racks fetched, one after the other.
    const held = JSON.parse(await readFile(path.join(work, 'rack-0', 'current', '.snapshot.json'), 'utf8')) as { plan: { files: { sha256: string }[] } };
    const wanted = new Set(held.plan.files.map((f) => f.sha256));
    const files = mirror.files.filter((f) => wanted.has(f.sha256));
    const fileBytes = files.reduce((sum, f) => sum + f.size, 0);
    await sh('sync');
    const curl = await timed(() =>
      Promise.all(
        Array.from({ length: rackCount }, async (_, i) => {
          const dir = path.join(work, `curl-${i}`);
          await mkdir(dir);
          const urls = files.map((f, j) => `-o ${path.join(dir, String(j))} ${nginx.url}/live/${f.path}`).join(' ');
          await sh(`curl -sf ${urls}`);
        }),
      ),
    );
    const curlMBps = (rackCount * fileBytes) / 1e6 / (curl.ms / 1000);
    // The same through the region's stream server (a rack's token), to tell the region's serving from the racks' side.
    const streamUrls = await regionFileUrls(regionUrl, token, wanted);
    await sh('sync');
    const regionCpuBefore = await processCpuSeconds(region.child.pid!);
    const curlRegion = await timed(() =>
      Promise.all(
        Array.from({ length: rackCount }, async (_, i) => {
          const dir = path.join(work, `curl-${i}`);
          const urls = streamUrls.map((u, j) => `-o ${path.join(dir, `r${j}`)} ${u}`).join(' ');
          await sh(`curl -sf -H 'authorization: Bearer ${token}' ${urls}`);
        }),
      ),
    );
    const curlRegionMBps = (rackCount * fileBytes) / 1e6 / (curlRegion.ms / 1000);
    const regionServingCpu = (await processCpuSeconds(region.child.pid!)) - regionCpuBefore;
    await api('DELETE', 'rackcontrollers/bench-probe/');

    const lines = [
      `fan-out: ${rackCount} racks, ${mb(fileBytes)} MB of new images each (${files.length} files), ${nginx.kind} upstream, sync interval 5m`,
      `racks: ${mb(rackBytes)} MB fetched in ${((lastPublished - importEnd) / 1000).toFixed(2)} s from the import's end: ${rackMBps.toFixed(0)} MB/s aggregate`,
      `curl -o x ${rackCount} in parallel from nginx: ${mb(rackCount * fileBytes)} MB in ${(curl.ms / 1000).toFixed(2)} s: ${curlMBps.toFixed(0)} MB/s aggregate`,
      `curl -o x ${rackCount} in parallel from the region's stream: ${(curlRegion.ms / 1000).toFixed(2)} s: ${curlRegionMBps.toFixed(0)} MB/s aggregate, ` +
        `region CPU ${(regionServingCpu / ((rackCount * fileBytes) / 1e9)).toFixed(2)} s/GB served`,
      `ratio racks / curl from nginx: ${(rackMBps / curlMBps).toFixed(2)} (target >= 0.7); racks / curl from the region: ${(rackMBps / curlRegionMBps).toFixed(2)}`,
      `CPU from the import's end to all synced: region ${regionCpu.toFixed(1)} s (${(regionCpu / (rackBytes / 1e9)).toFixed(2)} s/GB served), ` +
        `racks ${racksCpu.toFixed(1)} s (${(racksCpu / (rackBytes / 1e9)).toFixed(2)} s/GB fetched), ` +
        `of ${(((allSynced - importEnd) / 1000) * availableParallelism()).toFixed(1)} s on ${availableParallelism()} cores`,
      `import end -> all racks synced: ${((allSynced - importEnd) / 1000).toFixed(2)} s; slowest rack sync ${(slowestMs / 1000).toFixed(2)} s; ` +
        `beyond the transfer: ${((allSynced - importEnd - slowestMs) / 1000).toFixed(2)} s (target < 10 s)`,
      `no-op rack sync: ${noopMs.map((m) => m.toFixed(1)).join(', ')} ms (target < 100 ms)`,
      `load average: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    ];
    console.log(lines.join('\n'));
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error('cleanup:', err));
  }
}

/** URLs of the region stream's files with one of the wanted sha256s, read as a rack reads them. */
async function regionFileUrls(regionUrl: string, token: string, wanted: ReadonlySet<string>): Promise<string[]> {
  const root = new URL(STREAM_PATH, regionUrl).toString();
  const get = async (p: string): Promise<unknown> => (await fetch(root + p, { headers: { authorization: bearer(token) } })).json();
  const index = (await get(STREAM_INDEX_PATH)) as { index: Record<string, { path: string }> };
  const urls = new Map<string, string>();
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const item = node as { path?: unknown; sha256?: unknown };
    if (typeof item.path === 'string' && typeof item.sha256 === 'string' && wanted.has(item.sha256)) urls.set(item.sha256, root + item.path);
    for (const child of Object.values(node)) walk(child);
  };
  for (const entry of Object.values(index.index)) walk(await get(entry.path));
  return [...urls.values()];
}

/** The rack's log line of its latest published snapshot (bytes, ms, time). */
function published(rack: Daemon): LogEvent | undefined {
  return rack.events().filter((e) => e.event === 'rack.sync.published').at(-1);
}

function gauge(metrics: string, name: string): number {
  const m = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(metrics);
  if (!m) throw new Error(`${name} missing from /metrics`);
  return Number(m[1]);
}

async function until(check: () => Promise<boolean>, what: string, ms = 600_000): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(50)) if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function dropRegionKeys(regionDir: string): Promise<void> {
  const regionId = (await readFile(path.join(regionDir, 'region-id'), 'utf8')).trim();
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${redisPrefixFor(regionId)}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
