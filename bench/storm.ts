/**
 * PXE storm benchmark: N clients (default 32) at once, each fetching the kernel, the initrd and the squashfs of one
 * image from a rack's `/images/` (curl, one connection per client, as a machine boots), against three servers of the
 * same rack data dir: the rack's built-in server, the rack behind deploy/nginx/rack.conf, and plain nginx on the same
 * `current/` tree. Reported per server: aggregate MB/s, time to first byte p50/p99, the server's CPU per GB, and the
 * daemon's /healthz latency p50/p99 while the storm runs. Servers interleaved within each run. See bench/README.md.
 *
 *   npm run bench:storm -- [--clients 32] [--runs 3] [--kernel-mib 12] [--initrd-mib 48] [--squashfs-mib 96] [--dir /tmp]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { RackMetrics } from '@bootsync/rack/metrics';
import { createRackServer } from '@bootsync/rack/server';
import { planSnapshot, publishSnapshot } from '@bootsync/rack/snapshot';
import type { ProductItem } from '@bootsync/shared/streams';
import { freePort } from '@bootsync/testkit/net';
import { frontSubstitutions, startNginx } from '@bootsync/testkit/nginx';
import { checkFreeDisk, mb, processCpuSeconds, processTreeCpuSeconds } from './lib/machine.js';
import { startStaticServer } from './lib/nginx.js';
import { writeRandomFile } from './lib/payloads.js';
import { percentile, probeLatency } from './lib/latency.js';

const MiB = 2 ** 20;
const IMAGE_DIR = 'ubuntu/amd64/ga-24.04/noble/stable';
const FILES = ['boot-kernel', 'boot-initrd', 'squashfs'] as const;

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '32' },
    runs: { type: 'string', default: '3' },
    'kernel-mib': { type: 'string', default: '12' },
    'initrd-mib': { type: 'string', default: '48' },
    'squashfs-mib': { type: 'string', default: '96' },
    dir: { type: 'string', default: tmpdir() },
    /** Internal: run the rack's built-in server on this data dir and port (`<dir> <port>`). */
    serve: { type: 'string' },
  },
});

/** One server under test: where clients fetch the image, where /healthz is (none for plain nginx), whose CPU counts. */
interface Target {
  readonly name: string;
  readonly imagesUrl: string;
  readonly healthUrl?: string;
  readonly cpu: () => Promise<number>;
}

interface StormResult {
  readonly seconds: number;
  readonly bytes: number;
  readonly ttfbMs: number[];
  /** A new request's time to first byte during the storm (the probe's). */
  readonly probeMs: number[];
  readonly healthMs: number[];
  readonly cpuSeconds: number;
}

async function main(): Promise<void> {
  const clients = Number(args.clients);
  const sizes = [Number(args['kernel-mib']), Number(args['initrd-mib']), Number(args['squashfs-mib'])].map((m) => m * MiB);
  const work = await mkdtemp(path.join(args.dir, 'bootsync-bench-storm-'));
  const stops: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true })];
  try {
    await checkFreeDisk(work, 2.2 * sizes.reduce((a, b) => a + b, 0));
    const dataDir = path.join(work, 'rack');
    await buildRackTree(dataDir, sizes);

    const daemonPort = await freePort();
    const daemon = startServeChild(dataDir, daemonPort);
    stops.push(() => stopChild(daemon));
    const daemonUrl = `http://127.0.0.1:${daemonPort}`;
    await waitForHealth(daemonUrl);
    const frontPort = await freePort();
    const front = await startNginx('rack.conf', work, frontPort, frontSubstitutions('rack', dataDir, daemonPort, frontPort));
    stops.push(() => front.close());
    // The same number of workers as rack.conf (auto), so the fronted rack and plain nginx differ by nothing else.
    const plain = await startStaticServer(path.join(dataDir, 'current'), work, 'auto');
    stops.push(() => plain.close());

    const targets: Target[] = [
      { name: 'built-in rack /images/', imagesUrl: `${daemonUrl}/images`, healthUrl: `${daemonUrl}/healthz`, cpu: () => processCpuSeconds(daemon.pid!) },
      {
        name: 'rack behind deploy/nginx/rack.conf', imagesUrl: `${front.url}/images`, healthUrl: `${front.url}/healthz`,
        cpu: async () => (await processTreeCpuSeconds(front.pid)) + (await processCpuSeconds(daemon.pid!)),
      },
      { name: `plain ${plain.kind} on current/`, imagesUrl: plain.url, cpu: () => processTreeCpuSeconds(plain.pid!) },
    ];
    // Once through every server first: the page cache holds the tree, and nobody pays for reading it from disk.
    for (const t of targets) await storm(t, 1);
    const results = new Map<string, StormResult[]>();
    for (let run = 0; run < Number(args.runs); run++) {
      for (const t of targets) results.set(t.name, [...(results.get(t.name) ?? []), await storm(t, clients)]);
    }
    report(clients, sizes, targets, results, plain.kind);
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error('cleanup:', err));
  }
}

/** A rack data dir as a sync leaves it: a cache of verified blobs, one snapshot of hard links, `current` pointing at it. */
async function buildRackTree(dataDir: string, sizes: readonly number[]): Promise<void> {
  const blobs = path.join(path.dirname(dataDir), 'blobs');
  await mkdir(blobs, { recursive: true });
  const items: ProductItem[] = [];
  const paths = new Map<string, string>();
  for (const [i, name] of FILES.entries()) {
    const file = path.join(blobs, name);
    const sha256 = await writeRandomFile(file, sizes[i]!);
    paths.set(sha256, file);
    items.push({
      ref: { contentId: 'com.ubuntu.maas:stable:v3:download', product: 'com.ubuntu.maas.stable:v3:boot:24.04:amd64:ga-24.04', version: '20250718', item: name },
      fields: { os: 'ubuntu', arch: 'amd64', subarch: 'ga-24.04', kflavor: 'generic', release: 'noble', label: 'stable', ftype: name, item_name: name },
      ftype: name,
      path: `noble/amd64/20250718/${name}`,
      size: sizes[i]!,
      checksums: { sha256 },
    });
  }
  await publishSnapshot({ dataDir, plan: planSnapshot(items), blobPath: (sha256) => paths.get(sha256)! });
}

/** `clients` curls at once, each fetching the three files one after the other on one connection; /healthz probed meanwhile. */
async function storm(target: Target, clients: number): Promise<StormResult> {
  const urls = FILES.map((f) => `${target.imagesUrl}/${IMAGE_DIR}/${f}`);
  const cpuBefore = await target.cpu();
  const health = target.healthUrl ? probeLatency(target.healthUrl, 20) : undefined;
  const newcomer = probeLatency(urls[0]!, 20, { range: 'bytes=0-65535' });
  const started = performance.now();
  const lines = await Promise.all(
    Array.from({ length: clients }, () => curl(['-sf', '-w', '%{time_starttransfer} %{size_download}\\n', ...urls.flatMap((u) => ['-o', '/dev/null', u])])),
  );
  const seconds = (performance.now() - started) / 1000;
  const healthMs = (await health?.stop()) ?? [];
  const probeMs = await newcomer.stop();
  const cpuSeconds = (await target.cpu()) - cpuBefore;
  const measured = lines.flatMap((out) => out.trim().split('\n')).map((line) => {
    const m = /^(\d+(?:\.\d+)?) (\d+)$/.exec(line.trim());
    if (!m) throw new Error(`${target.name}: curl wrote ${JSON.stringify(line)}, not "<time to first byte> <bytes>"`);
    return [Number(m[1]), Number(m[2])] as [number, number];
  });
  if (measured.length !== clients * urls.length) throw new Error(`${target.name}: ${measured.length} transfers measured, ${clients * urls.length} made`);
  return { seconds, bytes: measured.reduce((sum, [, size]) => sum + size, 0), ttfbMs: measured.map(([t]) => t * 1000).sort((a, b) => a - b), probeMs, healthMs, cpuSeconds };
}

/**
 * curl at the lowest priority: booting machines are other computers, so here the clients must not take the CPU the
 * servers (and the health probe) need; each still gets whatever is left.
 */
function curl(argv: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('nice', ['-n', '19', 'curl', ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`curl ${argv.join(' ')}: exit ${code}`))));
  });
}

function report(clients: number, sizes: readonly number[], targets: readonly Target[], results: Map<string, StormResult[]>, nginxKind: string): void {
  const perClient = sizes.reduce((a, b) => a + b, 0);
  console.log(
    `PXE storm: ${clients} clients at once, each kernel ${sizes[0]! / MiB} MiB + initrd ${sizes[1]! / MiB} MiB + squashfs ${sizes[2]! / MiB} MiB ` +
      `(${mb(clients * perClient)} MB per run), ${nginxKind}, best of ${args.runs} runs by time, servers interleaved`,
  );
  console.log('| server | s | MB/s | clients\' TTFB p50 / p99 ms | new request TTFB p50 / p99 ms | server CPU s/GB | /healthz p50 / p99 ms | all runs (s) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  const best = new Map<string, StormResult>();
  for (const t of targets) {
    const runs = results.get(t.name)!;
    const b = runs.reduce((x, y) => (y.seconds < x.seconds ? y : x));
    best.set(t.name, b);
    const p50p99 = (ms: readonly number[]): string => (ms.length > 0 ? `${percentile(ms, 0.5).toFixed(1)} / ${percentile(ms, 0.99).toFixed(1)}` : '–');
    console.log(
      `| ${t.name} | ${b.seconds.toFixed(2)} | ${Math.round(b.bytes / 1e6 / b.seconds)} | ${p50p99(b.ttfbMs)} | ${p50p99(b.probeMs)} | ` +
        `${(b.cpuSeconds / (b.bytes / 1e9)).toFixed(2)} | ${p50p99(b.healthMs)} | ${runs.map((r) => r.seconds.toFixed(2)).join(', ')} |`,
    );
  }
  const rate = (t: Target): number => best.get(t.name)!.bytes / best.get(t.name)!.seconds;
  const [builtIn, fronted, plain] = targets as [Target, Target, Target];
  console.log(`built-in / plain nginx: ${(rate(builtIn) / rate(plain)).toFixed(2)} (goal >= 0.7); nginx-fronted / plain nginx: ${(rate(fronted) / rate(plain)).toFixed(2)} (goal >= 0.95)`);
  console.log(`built-in TTFB p99: clients ${percentile(best.get(builtIn.name)!.ttfbMs, 0.99).toFixed(1)} ms, a new request ${percentile(best.get(builtIn.name)!.probeMs, 0.99).toFixed(1)} ms (goal < 50); /healthz p99 during the storm: built-in ${percentile(best.get(builtIn.name)!.healthMs, 0.99).toFixed(1)} ms, behind nginx ${percentile(best.get(fronted.name)!.healthMs, 0.99).toFixed(1)} ms (goal < 50)`);
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
}

/** The rack's built-in server in a child process of its own (this script with --serve), so its CPU is its own. */
function startServeChild(dataDir: string, port: number): ChildProcess {
  return spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', `${dataDir} ${port}`], { stdio: ['ignore', 'inherit', 'inherit'] });
}

async function serve(spec: string): Promise<void> {
  const [dataDir = '', port = '0'] = spec.split(' ');
  const app = createRackServer({ dataDir, metrics: new RackMetrics('bench') });
  await app.listen({ host: '127.0.0.1', port: Number(port) });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

async function waitForHealth(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await request(`${url}/healthz`).then((r) => r.body.dump().then(() => r.statusCode === 200), () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url}/healthz never answered`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

if (args.serve) await serve(args.serve);
else await main();
