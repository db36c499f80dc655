/**
 * Mirror benchmark: `bootsync stream mirror` beside Canonical's `sstream-mirror` (when found) and `curl -o` on the same
 * generated ~1 GiB signed stream served by nginx on 127.0.0.1 (or the Node static server); then a run with nothing
 * new for each tool. See bench/README.md.
 *
 *   npm run bench:mirror -- [--squashfs-mib 420] [--runs 3] [--concurrency 4] [--dir /tmp] [--sstream-mirror PATH]
 */
import { readdir, rm, stat, mkdtemp } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchStream, STREAM_BENCH_ARGS } from './lib/bench-stream.js';
import { timeCurlBaselines, type CurlBaseline } from './lib/curl-baselines.js';
import { mb, sh } from './lib/machine.js';
import { runMeasured, type ProcessMeasure } from './lib/measured-process.js';
import { startStaticServer } from './lib/nginx.js';
import { findSstreamMirror } from './lib/sstream-mirror.js';

const MiB = 2 ** 20;
const BOOTSYNC = fileURLToPath(new URL('../../packages/cli/bin/bootsync.js', import.meta.url));
/** What the MAAS docs mirror, as one run: amd64 Ubuntu (the bootloaders lack `release`, so they pass too). */
const FILTERS = ['arch=amd64', 'release~^(jammy|noble)?$'];
const MAX = 1;

const { values: args } = parseArgs({ options: { ...STREAM_BENCH_ARGS } });

type Method = CurlBaseline | 'bootsync stream mirror' | 'sstream-mirror';

async function main(): Promise<void> {
  const squashfs = Number(args['squashfs-mib']) * MiB;
  const runs = Number(args.runs);
  const sstream = findSstreamMirror(args['sstream-mirror']);
  const work = await mkdtemp(path.join(args.dir, 'bst-bench-mirror-'));
  try {
    const mirror = await benchStream(work, squashfs, 4);
    const files = mirror.files;
    const total = files.reduce((n, f) => n + f.size, 0);
    const server = await startStaticServer(mirror.root, work);
    const times: Record<Method, number[]> = { 'curl -o': [], 'curl | tee | sha256sum': [], 'bootsync stream mirror': [], 'sstream-mirror': [] };
    const noop: Record<'bootsync stream mirror' | 'sstream-mirror', number[]> = { 'bootsync stream mirror': [], 'sstream-mirror': [] };
    const rss: Record<string, number> = {};
    const cpu: Record<string, number> = {};
    const measure = async (method: 'bootsync stream mirror' | 'sstream-mirror', out: string, run: () => Promise<ProcessMeasure>): Promise<void> => {
      await sh('sync');
      const full = await run();
      await checkMirrored(out, files);
      const again = await run();
      times[method].push(full.ms);
      noop[method].push(again.ms);
      rss[method] = Math.max(rss[method] ?? 0, full.peakRssMb, again.peakRssMb);
      cpu[method] = Math.min(cpu[method] ?? Infinity, full.cpuMs);
    };
    try {
      for (let run = 1; run <= runs; run++) {
        const out = path.join(work, `out-${run}`);
        await timeCurlBaselines(server.url, files.map((f) => ({ urlPath: f.path, sha256: f.sha256 })), out, times);
        const ours = path.join(out, 'bootsync');
        await measure('bootsync stream mirror', ours, () =>
          runMeasured(process.execPath, [BOOTSYNC, 'stream', 'mirror', `${server.url}/`, ours, '--keyring', mirror.keyring.binary, '--concurrency', String(args.concurrency), '--max', String(MAX), ...FILTERS]),
        );
        await rm(ours, { recursive: true, force: true });
        if (sstream) {
          const theirs = path.join(out, 'sstream');
          await measure('sstream-mirror', theirs, () => sstream.run(`${server.url}/streams/v1/index.sjson`, theirs, mirror.keyring.binary, FILTERS, MAX));
          await rm(theirs, { recursive: true, force: true });
        }
        await rm(out, { recursive: true, force: true });
      }
    } finally {
      await server.close();
    }
    report({ server: server.kind, files: files.length, total, runs, times, noop, rss, cpu, sstream: sstream?.describe });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Every payload at its path with its size: a run that skipped files would look fast. */
async function checkMirrored(out: string, files: readonly { path: string; size: number }[]): Promise<void> {
  for (const f of files) {
    const s = await stat(path.join(out, f.path)).catch(() => undefined);
    if (s?.size !== f.size) throw new Error(`${out}: ${f.path} missing or of the wrong size after the mirror run`);
  }
  if (!(await readdir(path.join(out, 'streams', 'v1'))).includes('index.sjson')) throw new Error(`${out}: no streams/v1/index.sjson`);
}

function report(r: {
  server: string;
  files: number;
  total: number;
  runs: number;
  times: Record<Method, number[]>;
  noop: Record<string, number[]>;
  rss: Record<string, number>;
  cpu: Record<string, number>;
  sstream: string | undefined;
}): void {
  const best = (name: Method): number => Math.min(...r.times[name]);
  const rate = (ms: number): number => Math.round(r.total / 1e6 / (ms / 1000));
  const list = (ms: readonly number[]): string => ms.map((m) => (m / 1000).toFixed(2)).join(', ');
  console.log(`${r.files} files, ${mb(r.total)} MB, from ${r.server}, best of ${r.runs}; filters ${FILTERS.join(' ')} --max ${MAX}`);
  console.log('| method | best s | MB/s | all runs (s) | no-op run (s) | peak RSS MB | CPU s/GB |');
  console.log('|---|---:|---:|---|---|---:|---:|');
  for (const name of Object.keys(r.times) as Method[]) {
    if (r.times[name].length === 0) continue;
    const noop = r.noop[name];
    const cpu = r.cpu[name] === undefined ? '-' : (r.cpu[name] / 1000 / (r.total / 1e9)).toFixed(2);
    console.log(`| ${name} | ${(best(name) / 1000).toFixed(2)} | ${rate(best(name))} | ${list(r.times[name])} | ${noop ? list(noop) : '-'} | ${r.rss[name] ?? '-'} | ${cpu} |`);
  }
  const ours = best('bootsync stream mirror');
  console.log(`bootsync stream mirror / curl -o (throughput): ${(best('curl -o') / ours).toFixed(2)} (target >= 0.8)`);
  if (r.sstream) console.log(`bootsync stream mirror wall / sstream-mirror wall: ${(ours / best('sstream-mirror')).toFixed(2)} (target <= 0.5); sstream-mirror: ${r.sstream}`);
  else console.log('sstream-mirror not found (see bench/README.md to get it; --sstream-mirror PATH): no ratio');
  console.log(`no-op run: ${Math.round(Math.min(...(r.noop['bootsync stream mirror'] ?? [])))} ms best (target < 300)`);
  console.log(`peak RSS of bootsync stream mirror: ${r.rss['bootsync stream mirror']} MB (target <= 250)`);
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
}

await main();
