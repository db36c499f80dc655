/**
 * Fan-out benchmark: one region (the real bin) and N racks (the real bin, default 8) on 127.0.0.1, the sync interval
 * at 5 minutes. The region imports ~512 MiB of new images from a generated signed stream served by nginx; the racks
 * pull them at once (the import's "changed" trigger, not the schedule). Run with the region serving on its own
 * (`builtin`) and behind deploy/nginx/region.conf (`nginx`: X-Accel-Redirect), each a fresh region and racks.
 * Reported per front: aggregate rack MB/s beside N parallel `curl -o` of the same files from nginx and from the
 * region, N Downloaders (the rack's, alone) from the region, CPU per GB of each, time from the import's end to every
 * rack "synced", and the duration of a no-op rack sync. See bench/README.md.
 *
 *   npm run bench:fanout -- [--racks 8] [--size-mib 512] [--front both|builtin|nginx] [--dir /tmp]
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { bearer, REGISTER_PATH, registrationRequest, STREAM_INDEX_PATH, STREAM_PATH } from '@bootsync/shared/rack-protocol';
import { Downloader } from '@bootsync/shared/download';
import { ContentStore } from '@bootsync/shared/store';
import { DEFAULT_RELEASES, createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { freePort } from '@bootsync/testkit/net';
import { frontSubstitutions, startNginx } from '@bootsync/testkit/nginx';
import { at, dropRegionKeys, gauge, oauth, RACK_BIN, REGION_BIN, startDaemon, until, type Daemon, type LogEvent } from './lib/daemons.js';
import { checkFreeDisk, mb, processCpuSeconds, runAsChild, sh, timed } from './lib/machine.js';
import { percentile, probeLatency } from './lib/latency.js';
import { startStaticServer, type StaticServer } from './lib/nginx.js';

const MiB = 2 ** 20;
const REDIS_URL = process.env.BOOTSYNC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const FRONTS = ['builtin', 'nginx'] as const;
type Front = (typeof FRONTS)[number];

const { values: args } = parseArgs({
  options: {
    racks: { type: 'string', default: '8' },
    'size-mib': { type: 'string', default: '512' },
    front: { type: 'string', default: 'both' },
    dir: { type: 'string', default: tmpdir() },
    /** Set by runAsChild: a Downloader's job (the baseline of the racks' CPU per GB). */
    child: { type: 'string' },
  },
});

interface RackRow {
  readonly hostname: string;
  readonly image_sync_status: string;
  readonly last_image_sync: string | null;
}

/** One Downloader as a rack builds it (default concurrency and threads, the rack's token), into a store of its own. */
interface DownloadJob {
  readonly urls: readonly { url: string; size: number; sha256: string }[];
  readonly token: string;
  readonly storeRoot: string;
}

async function main(): Promise<void> {
  const rackCount = Number(args.racks);
  const sizeMib = Number(args['size-mib']);
  const fronts: readonly Front[] = args.front === 'both' ? FRONTS : [args.front as Front];
  if (!fronts.every((f) => FRONTS.includes(f))) throw new Error(`--front: both, builtin or nginx, not ${args.front}`);
  const work = await mkdtemp(path.join(args.dir, 'bootsync-bench-fanout-'));
  const stops: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true })];
  try {
    // Mirror + region store + every rack's cache + every curl (or Downloader) copy, with a margin.
    await checkFreeDisk(work, sizeMib * MiB * (2 + 3 * rackCount) * 1.1);
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
    const lines: string[] = [];
    for (const front of fronts) lines.push(...(await scenario(front, { work, mirror, nginx, rackCount })));
    lines.push(`load average: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
    console.log(lines.join('\n'));
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error('cleanup:', err));
  }
}

/** A fresh region (behind nginx or not) and N racks, one pull of the whole payload, then the references. */
async function scenario(front: Front, scene: { work: string; mirror: GeneratedMirror; nginx: StaticServer; rackCount: number }): Promise<string[]> {
  const { work, mirror, nginx, rackCount } = scene;
  const dir = path.join(work, front);
  const stops: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  try {
    // The stream appears under live/ only once the racks are up, so their first sync holds nothing.
    const regionDir = path.join(dir, 'region');
    const regionPort = await freePort();
    const region = startDaemon(REGION_BIN, [
      '--data-dir', regionDir, '--listen', `127.0.0.1:${regionPort}`, '--redis-url', REDIS_URL, '--sync-interval', '5m',
      '--default-source-url', `${nginx.url}/live/`, '--default-keyring', mirror.keyring.binary,
      ...(front === 'nginx' ? ['--accel-redirect', '/_bootsync/store/'] : []),
    ]);
    stops.push(() => region.stop(), () => dropRegionKeys(regionDir, REDIS_URL));
    await region.waitFor('region.started');
    let regionUrl = `http://127.0.0.1:${regionPort}`;
    if (front === 'nginx') {
      const port = await freePort();
      const regionFront = await startNginx('region.conf', dir, port, frontSubstitutions('region', regionDir, regionPort, port));
      stops.push(() => regionFront.close());
      regionUrl = regionFront.url;
    }
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
        '--data-dir', path.join(dir, `rack-${i}`), '--listen', '127.0.0.1:0', '--redis-url', REDIS_URL,
      ]);
      stops.push(() => rack.stop());
      return rack;
    });
    const rackUrls = await Promise.all(racks.map(async (r) => String((await r.waitFor('rack.started')).url)));
    await until(async () => {
      const rows = await rackRows();
      return rows.length === rackCount && rows.every((r) => r.image_sync_status === 'synced');
    }, 'every rack synced (empty)');

    await rename(mirror.root, path.join(path.dirname(mirror.root), 'live'));
    stops.push(() => rename(path.join(path.dirname(mirror.root), 'live'), mirror.root));
    const imports = region.events().filter((e) => e.event === 'import.finished').length;
    await api('POST', 'boot-resources/?op=import');
    const importEnd = at(await region.waitFor('import.finished', imports + 1));
    // CPU of the region (serving) and the racks (receiving, hashing, writing) over the transfer: is it CPU-bound?
    const cpuOf = (): Promise<number[]> => Promise.all([region, ...racks].map((d) => processCpuSeconds(d.child.pid!)));
    const cpuBefore = await cpuOf();
    const health = probeLatency(`${regionUrl}/healthz`, 20);
    await until(async () => (await rackRows()).every((r) => r.image_sync_status === 'synced') && racks.every((r) => published(r) !== undefined), 'every rack synced');
    const allSynced = Date.now();
    const healthMs = await health.stop();
    const cpuUsed = (await cpuOf()).map((c, i) => c - (cpuBefore[i] ?? 0));
    const regionCpu = cpuUsed[0] ?? 0;
    const racksCpu = cpuUsed.slice(1).reduce((sum, c) => sum + c, 0);
    const syncs = racks.map((r) => published(r)!);
    const rackBytes = syncs.reduce((sum, s) => sum + Number(s.bytes), 0);
    const lastPublished = Math.max(...syncs.map(at));
    const slowestMs = Math.max(...syncs.map((s) => Number(s.ms)));
    const rackMBps = rackBytes / 1e6 / ((lastPublished - importEnd) / 1000);

    // A token to read the region stream with, as a rack.
    const secret = (await readFile(path.join(regionDir, 'secret'), 'utf8')).trim();
    const probe = await fetch(new URL(REGISTER_PATH, regionUrl), {
      method: 'POST', headers: { authorization: bearer(secret), 'content-type': 'application/json' }, body: JSON.stringify(registrationRequest('bench-probe')),
    });
    if (!probe.ok) throw new Error(`probe registration: HTTP ${probe.status}`);
    const { token } = (await probe.json()) as { token: string };
    // No-op syncs: rack-controllers import-boot-images asks every rack to sync now.
    const before = new Map((await rackRows()).map((r) => [r.hostname, r.last_image_sync]));
    await api('POST', 'rackcontrollers/?op=import_boot_images');
    await until(async () => (await rackRows()).filter((r) => r.hostname !== 'bench-probe').every((r) => r.last_image_sync !== before.get(r.hostname)), 'a no-op sync on every rack');
    const noopMs = await Promise.all(rackUrls.map(async (url) => 1000 * gauge(await (await fetch(`${url}/metrics`)).text(), 'bootsync_rack_last_sync_duration_seconds')));

    // The references: N curl processes at once, each fetching every file the racks fetched, one after the other.
    const held = JSON.parse(await readFile(path.join(dir, 'rack-0', 'current', '.snapshot.json'), 'utf8')) as { plan: { files: { sha256: string }[] } };
    const wanted = new Set(held.plan.files.map((f) => f.sha256));
    const files = mirror.files.filter((f) => wanted.has(f.sha256));
    const fileBytes = files.reduce((sum, f) => sum + f.size, 0);
    const parallel = async (each: (i: number, out: string) => Promise<unknown>): Promise<number> => {
      await sh('sync');
      const { ms } = await timed(() => Promise.all(Array.from({ length: rackCount }, async (_, i) => {
        const out = path.join(dir, `copy-${i}`);
        await rm(out, { recursive: true, force: true });
        await mkdir(out);
        return each(i, out);
      })));
      return ms;
    };
    const curlMs = await parallel((_, out) => sh(`curl -sf ${files.map((f, j) => `-o ${path.join(out, String(j))} ${nginx.url}/live/${f.path}`).join(' ')}`));
    // The same through the region (a rack's token), to tell the region's serving from the racks' side.
    const streamFiles = await regionFileUrls(regionUrl, token, wanted);
    let regionCpuBefore = await processCpuSeconds(region.child.pid!);
    const curlRegionMs = await parallel((_, out) => sh(`curl -sf -H 'authorization: Bearer ${token}' ${streamFiles.map((f, j) => `-o ${path.join(out, String(j))} ${f.url}`).join(' ')}`));
    const regionServingCpu = (await processCpuSeconds(region.child.pid!)) - regionCpuBefore;
    // Serving alone: the same curls writing nowhere, so the disk does not set the pace of either server.
    const nowhere = (url: (i: number) => string, headers = ''): Promise<number> =>
      parallel(() => sh(`curl -sf ${headers} ${files.map((_, j) => `-o /dev/null ${url(j)}`).join(' ')}`));
    const nullNginxMs = await nowhere((j) => `${nginx.url}/live/${files[j]!.path}`);
    const nullRegionMs = await nowhere((j) => streamFiles[j]!.url, `-H 'authorization: Bearer ${token}'`);
    // And N Downloaders alone (what each rack runs to fetch), each in a process of its own: the racks' CPU per GB
    // beside this is what a rack adds around its downloads.
    regionCpuBefore = await processCpuSeconds(region.child.pid!);
    const downloads: { cpuMs: number }[] = [];
    const downloadMs = await parallel(async (_, out) => downloads.push(await runAsChild<{ cpuMs: number }>(import.meta.url, { urls: streamFiles, token, storeRoot: out } satisfies DownloadJob, 'downloader')));
    const downloadCpu = downloads.reduce((sum, d) => sum + d.cpuMs / 1000, 0);
    await api('DELETE', 'rackcontrollers/bench-probe/');

    const total = rackCount * fileBytes;
    const rate = (ms: number): number => total / 1e6 / (ms / 1000);
    const perGb = (cpu: number, bytes = total): string => (cpu / (bytes / 1e9)).toFixed(2);
    const racksPerGb = racksCpu / (rackBytes / 1e9);
    const downloaderPerGb = downloadCpu / (total / 1e9);
    return [
      `== region ${front === 'nginx' ? 'behind deploy/nginx/region.conf (--accel-redirect)' : 'serving on its own'}: ${rackCount} racks, ${mb(fileBytes)} MB of new images each (${files.length} files), ${nginx.kind} upstream`,
      `racks: ${mb(rackBytes)} MB fetched in ${((lastPublished - importEnd) / 1000).toFixed(2)} s from the import's end: ${rackMBps.toFixed(0)} MB/s aggregate`,
      `curl -o x ${rackCount} in parallel from nginx: ${mb(total)} MB in ${(curlMs / 1000).toFixed(2)} s: ${rate(curlMs).toFixed(0)} MB/s aggregate`,
      `curl -o x ${rackCount} in parallel from the region: ${(curlRegionMs / 1000).toFixed(2)} s: ${rate(curlRegionMs).toFixed(0)} MB/s aggregate, region CPU ${perGb(regionServingCpu)} s/GB served`,
      `curl -o /dev/null x ${rackCount}: from nginx ${rate(nullNginxMs).toFixed(0)} MB/s, from the region ${rate(nullRegionMs).toFixed(0)} MB/s: ` +
        `region / nginx ${(rate(nullRegionMs) / rate(nullNginxMs)).toFixed(2)} (goal, region serving on its own: >= 0.85)`,
      `Downloader x ${rackCount} (processes) from the region: ${(downloadMs / 1000).toFixed(2)} s: ${rate(downloadMs).toFixed(0)} MB/s aggregate, ${downloaderPerGb.toFixed(2)} s/GB of CPU`,
      `ratio racks / curl from nginx: ${(rackMBps / rate(curlMs)).toFixed(2)} (goal >= 0.7); racks / curl from the region: ${(rackMBps / rate(curlRegionMs)).toFixed(2)}; ` +
        `curl from the region / from nginx: ${(rate(curlRegionMs) / rate(curlMs)).toFixed(2)}`,
      `CPU from the import's end to all synced: region ${regionCpu.toFixed(1)} s (${perGb(regionCpu, rackBytes)} s/GB served), racks ${racksCpu.toFixed(1)} s ` +
        `(${racksPerGb.toFixed(2)} s/GB fetched: ${(racksPerGb / downloaderPerGb).toFixed(2)} x the Downloader's, goal <= 1.3), of ${(((allSynced - importEnd) / 1000) * availableParallelism()).toFixed(1)} s on ${availableParallelism()} cores`,
      `import end -> all racks synced: ${((allSynced - importEnd) / 1000).toFixed(2)} s; slowest rack sync ${(slowestMs / 1000).toFixed(2)} s; ` +
        `beyond the transfer: ${((allSynced - importEnd - slowestMs) / 1000).toFixed(2)} s (target < 10 s)`,
      `no-op rack sync: ${noopMs.map((m) => m.toFixed(1)).join(', ')} ms (target < 100 ms)`,
      `region /healthz while the racks pulled: p50 ${percentile(healthMs, 0.5).toFixed(1)} ms, p99 ${percentile(healthMs, 0.99).toFixed(1)} ms over ${healthMs.length} (goal < 50 ms)`,
    ];
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error('cleanup:', err));
  }
}

/** The region stream's files with one of the wanted sha256s (URL, size, sha256), read as a rack reads them. */
async function regionFileUrls(regionUrl: string, token: string, wanted: ReadonlySet<string>): Promise<DownloadJob['urls'][number][]> {
  const root = new URL(STREAM_PATH, regionUrl).toString();
  const get = async (p: string): Promise<unknown> => (await fetch(root + p, { headers: { authorization: bearer(token) } })).json();
  const index = (await get(STREAM_INDEX_PATH)) as { index: Record<string, { path: string }> };
  const found = new Map<string, DownloadJob['urls'][number]>();
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const item = node as { path?: unknown; sha256?: unknown; size?: unknown };
    if (typeof item.path === 'string' && typeof item.sha256 === 'string' && wanted.has(item.sha256)) {
      found.set(item.sha256, { url: root + item.path, size: Number(item.size), sha256: item.sha256 });
    }
    for (const child of Object.values(node)) walk(child);
  };
  for (const entry of Object.values(index.index)) walk(await get(entry.path));
  return [...found.values()];
}

/** The rack's log line of its latest published snapshot (bytes, ms, time). */
function published(rack: Daemon): LogEvent | undefined {
  return rack.events().filter((e) => e.event === 'rack.sync.published').at(-1);
}

async function downloadChild(job: DownloadJob): Promise<void> {
  const cpu = process.cpuUsage();
  const downloader = new Downloader({ store: new ContentStore({ root: job.storeRoot }), headers: { authorization: bearer(job.token) } });
  const outcomes = await downloader.download(job.urls.map((u) => ({ url: u.url, size: u.size, checksums: { sha256: u.sha256 } })));
  await downloader.close();
  const failed = outcomes.find((o) => !o.ok);
  if (failed && !failed.ok) throw failed.error;
  const { user, system } = process.cpuUsage(cpu);
  process.stdout.write(`${JSON.stringify({ cpuMs: (user + system) / 1000 })}\n`);
}

if (args.child) await downloadChild(JSON.parse(args.child) as DownloadJob);
else await main();
