/**
 * Download benchmark: bootsync's Downloader against `curl -o` and `curl | tee | sha256sum` on the same files,
 * served by nginx on 127.0.0.1 (or a Node static server). See bench/README.md.
 *
 *   npm run bench:download -- [--files 4] [--size-mib 256] [--runs 3] [--concurrency 4] [--threads 0,2] [--dir /tmp]
 *
 * `--threads`: the Downloader's worker threads, one bootsync row per value (0 = in the calling thread), to show
 * what the cores add; the default compares 0 with the Downloader's default (the cores, at most 2).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Downloader, DOWNLOADER_DEFAULTS } from '@bootsync/shared/download';
import { ContentStore } from '@bootsync/shared/store';
import { timeCurlBaselines } from './lib/curl-baselines.js';
import { mb, peakRssMb, runAsChild, sh, timed, type ChildMeasure } from './lib/machine.js';
import { PAYLOAD_ARGS, serveRandomFiles, type BenchFile } from './lib/payloads.js';

interface ChildJob {
  readonly storeRoot: string;
  readonly baseUrl: string;
  readonly files: readonly BenchFile[];
  readonly concurrency: number;
  readonly threads: number;
}

type ChildResult = ChildMeasure;

const { values: args } = parseArgs({
  options: { ...PAYLOAD_ARGS, concurrency: { type: 'string', default: '4' }, threads: { type: 'string', default: `0,${DOWNLOADER_DEFAULTS.threads}` } },
});

/** The measured side runs in a child process of its own, so its peak RSS is bootsync's alone. */
async function runChild(job: ChildJob): Promise<void> {
  const store = new ContentStore({ root: job.storeRoot });
  const downloader = new Downloader({ store, concurrency: job.concurrency, threads: job.threads });
  const requests = job.files.map((f) => ({ url: `${job.baseUrl}/${f.name}`, size: f.size, checksums: { sha256: f.sha256 } }));
  const cpu = process.cpuUsage();
  const { ms, value: outcomes } = await timed(() => downloader.download(requests));
  const { user, system } = process.cpuUsage(cpu);
  await downloader.close();
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length > 0) throw new Error(`${failed.length} downloads failed: ${failed.map((o) => !o.ok && o.error.message).join('; ')}`);
  const result: ChildResult = { ms, peakRssMb: peakRssMb(), cpuMs: (user + system) / 1000 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function bootsync(job: ChildJob): Promise<ChildResult> {
  return runAsChild<ChildResult>(import.meta.url, job, 'bootsync run');
}

async function main(): Promise<void> {
  const count = Number(args.files);
  const size = Number(args['size-mib']) * 2 ** 20;
  const runs = Number(args.runs);
  const concurrency = Number(args.concurrency);
  const threads = args.threads.split(',').map(Number);
  const work = await mkdtemp(path.join(args.dir, 'bst-bench-download-'));
  try {
    const { files, server } = await serveRandomFiles(work, count, size);
    const total = count * size;
    const curlFiles = files.map((f) => ({ urlPath: f.name, sha256: f.sha256 }));
    const times: Record<string, number[]> & Record<'curl -o' | 'curl | tee | sha256sum', number[]> = { 'curl -o': [], 'curl | tee | sha256sum': [] };
    const rss: Record<string, number> = {};
    const cpuMs: Record<string, number> = {};
    try {
      for (let run = 1; run <= runs; run++) {
        const out = path.join(work, `out-${run}`);
        await timeCurlBaselines(server.url, curlFiles, out, times);
        // Interleaved with curl in each run, so a busy spell of the machine spreads over every method.
        for (const n of threads) {
          const name = `bootsync, threads ${n}`;
          await rm(out, { recursive: true, force: true });
          await sh('sync');
          const result = await bootsync({ storeRoot: out, baseUrl: server.url, files, concurrency, threads: n });
          (times[name] ??= []).push(result.ms);
          rss[name] = Math.max(rss[name] ?? 0, result.peakRssMb);
          cpuMs[name] = Math.min(cpuMs[name] ?? Infinity, result.cpuMs);
        }
        await rm(out, { recursive: true, force: true });
      }
    } finally {
      await server.close();
    }
    report({ server: server.kind, count, size, runs, concurrency, total, times, rss, cpuMs });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function report(r: {
  server: string;
  count: number;
  size: number;
  runs: number;
  concurrency: number;
  total: number;
  times: Record<string, number[]>;
  rss: Record<string, number>;
  cpuMs: Record<string, number>;
}): void {
  const best = (name: string): number => Math.min(...(r.times[name] ?? []));
  const rate = (ms: number): number => Math.round(r.total / 1e6 / (ms / 1000));
  console.log(`${r.count} x ${r.size / 2 ** 20} MiB (${mb(r.total)} MB) from ${r.server}, best of ${r.runs}, concurrency ${r.concurrency}`);
  console.log('| method | best s | MB/s | all runs (s) |');
  console.log('|---|---:|---:|---|');
  for (const [name, ms] of Object.entries(r.times)) {
    console.log(`| ${name} | ${(best(name) / 1000).toFixed(2)} | ${rate(best(name))} | ${ms.map((m) => (m / 1000).toFixed(2)).join(', ')} |`);
  }
  for (const name of Object.keys(r.rss)) {
    const ours = rate(best(name));
    console.log(
      `${name}: / curl -o ${(ours / rate(best('curl -o'))).toFixed(2)} (target >= 0.8), / curl | tee | sha256sum ` +
        `${(ours / rate(best('curl | tee | sha256sum'))).toFixed(2)} (target >= 1.5), peak RSS ${r.rss[name]} MB (target <= 250), ` +
        `CPU ${((r.cpuMs[name] ?? 0) / (r.total / 1e9) / 1000).toFixed(2)} s per GB`,
    );
  }
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
}

if (args.child) await runChild(JSON.parse(args.child) as ChildJob);
else await main();
