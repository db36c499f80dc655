/**
 * Import benchmark: the region's import (trigger → run finished) of a generated ~1 GiB signed stream (two releases,
 * ga and hwe subarches sharing each release's squashfs) served by nginx on 127.0.0.1 (or the Node static server),
 * beside `curl -o`, `curl | tee | sha256sum` and Canonical's `sstream-mirror` (when found) on the same unique files;
 * then a no-op re-import; then the real region bin importing while its MAAS API is timed. See bench/README.md.
 *
 *   npm run bench:import -- [--squashfs-mib 420] [--runs 3] [--concurrency 4] [--dir /tmp] [--sstream-mirror PATH]
 *     [--database-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * With --database-url the region's state is in PostgreSQL (a fresh database on that server per run, dropped after),
 * else in SQLite in the run's directory, as a region's defaults are.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createLogger } from '@bootsync/shared/logging';
import { ContentStore } from '@bootsync/shared/store';
import { createRepositories, openRegionDatabase } from '@bootsync/region/db';
import { redisPrefixFor } from '@bootsync/region/identity';
import { ImportService, type ImportFinishedEvent } from '@bootsync/region/import';
import { apiLatencyDuringImport, percentile, type ApiDuringImport } from './lib/api-latency.js';
import { benchStream, STREAM_BENCH_ARGS } from './lib/bench-stream.js';
import { timeCurlBaselines } from './lib/curl-baselines.js';
import { mb, peakRssMb, runAsChild, sh, timed } from './lib/machine.js';
import { startStaticServer } from './lib/nginx.js';
import { findSstreamMirror } from './lib/sstream-mirror.js';
import { createTestDatabase } from '@bootsync/testkit/postgres';

const MiB = 2 ** 20;
const REDIS_URL = process.env.BOOTSYNC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface ChildJob {
  readonly work: string;
  readonly sourceUrl: string;
  readonly keyring: string;
  readonly concurrency: number;
  readonly redisPrefix: string;
  /** The run's own PostgreSQL database; SQLite in `work` without it. */
  readonly databaseUrl?: string;
}

interface ChildResult {
  readonly importMs: number;
  readonly bytes: number;
  readonly noopMs: number;
  readonly outcome: string;
  readonly peakRssMb: number;
  /** Peak RSS once the service has started, before the import: the modules and connections alone. */
  readonly startedRssMb: number;
  /** CPU time of the full import (all threads), comparable with the download benchmark's on a busy machine. */
  readonly cpuMs: number;
}

const { values: args } = parseArgs({ options: { ...STREAM_BENCH_ARGS, child: { type: 'string' }, 'database-url': { type: 'string' } } });

/** The region side runs in a child process of its own, so its peak RSS is the import's alone. */
async function runChild(job: ChildJob): Promise<void> {
  const db = await openRegionDatabase(job.databaseUrl ? { databaseUrl: job.databaseUrl } : { file: path.join(job.work, 'region.db') });
  const repos = createRepositories(db);
  await repos.config.set('boot_images_auto_import', false);
  const source = await repos.bootSources.create({ url: job.sourceUrl, keyringFilename: job.keyring });
  for (const release of ['jammy', 'noble']) await repos.selections.create(source.id, { os: 'ubuntu', release, arches: ['amd64'] });
  const service = new ImportService({
    repos,
    store: new ContentStore({ root: path.join(job.work, 'store') }),
    redisUrl: REDIS_URL,
    redisPrefix: job.redisPrefix,
    retention: 1,
    logger: createLogger('bench-import', { level: process.env.BENCH_LOG_LEVEL ?? 'warn', destination: process.stderr }),
    tuning: { concurrency: job.concurrency },
  });
  await service.start();
  const startedRssMb = peakRssMb();
  const importOnce = async (): Promise<{ ms: number; value: ImportFinishedEvent }> =>
    timed(async () => {
      const finished = new Promise<ImportFinishedEvent>((resolve) => {
        const off = service.onImportFinished((e) => (off(), resolve(e)));
      });
      await service.triggerImport();
      return finished;
    });
  const cpu = process.cpuUsage();
  const full = await importOnce();
  const { user, system } = process.cpuUsage(cpu);
  const noop = await importOnce();
  await service.stop();
  await db.close();
  const result: ChildResult = {
    importMs: full.ms,
    bytes: full.value.bytes,
    noopMs: noop.ms,
    outcome: `${full.value.outcome}/${noop.value.outcome}`,
    peakRssMb: peakRssMb(),
    startedRssMb,
    cpuMs: (user + system) / 1000,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function region(job: ChildJob): Promise<ChildResult> {
  return runAsChild<ChildResult>(import.meta.url, job, 'region run');
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}

async function main(): Promise<void> {
  const squashfs = Number(args['squashfs-mib']) * MiB;
  const runs = Number(args.runs);
  const concurrency = Number(args.concurrency);
  const sstream = findSstreamMirror(args['sstream-mirror']);
  const work = await mkdtemp(path.join(args.dir, 'bst-bench-import-'));
  try {
    const mirror = await benchStream(work, squashfs, 3.5);
    const files = mirror.files;
    const total = files.reduce((n, f) => n + f.size, 0);
    const curlFiles = files.map((f) => ({ urlPath: f.path, sha256: f.sha256 }));
    const server = await startStaticServer(mirror.root, work);
    const times: Record<'curl -o' | 'curl | tee | sha256sum' | 'bootsync import' | 'sstream-mirror', number[]> = {
      'curl -o': [],
      'curl | tee | sha256sum': [],
      'bootsync import': [],
      'sstream-mirror': [],
    };
    let api: ApiDuringImport | undefined;
    let sstreamCpuMs = Infinity;
    const noop: number[] = [];
    let rss = 0;
    let startedRss = 0;
    let cpuMs = Infinity;
    try {
      for (let run = 1; run <= runs; run++) {
        const out = path.join(work, `out-${run}`);
        await timeCurlBaselines(server.url, curlFiles, out, times);
        const redisPrefix = `bst-bench-import-${process.pid}-${run}`;
        const database = args['database-url'] ? await createTestDatabase('bench_import', args['database-url']) : undefined;
        try {
          const result = await region({
            work: out,
            sourceUrl: `${server.url}/`,
            keyring: mirror.keyring.binary,
            concurrency,
            redisPrefix,
            ...(database ? { databaseUrl: database.url } : {}),
          });
          if (result.outcome !== 'succeeded/succeeded' || result.bytes !== total) {
            throw new Error(`import ${result.outcome}, ${result.bytes} of ${total} bytes`);
          }
          times['bootsync import'].push(result.importMs);
          noop.push(result.noopMs);
          rss = Math.max(rss, result.peakRssMb);
          startedRss = Math.max(startedRss, result.startedRssMb);
          cpuMs = Math.min(cpuMs, result.cpuMs);
        } finally {
          await deleteKeys(redisPrefix);
          await database?.drop();
        }
        if (sstream) {
          // What an operator without bootsync runs for the same images (the region's selections: jammy and noble).
          await rm(out, { recursive: true, force: true });
          await sh('sync');
          const theirs = await sstream.run(`${server.url}/streams/v1/index.sjson`, out, mirror.keyring.binary, ['arch=amd64', 'release~^(jammy|noble)$'], 1);
          times['sstream-mirror'].push(theirs.ms);
          sstreamCpuMs = Math.min(sstreamCpuMs, theirs.cpuMs);
        }
        await rm(out, { recursive: true, force: true });
      }
      const dataDir = path.join(work, 'region-bin');
      await sh('sync');
      try {
        api = await apiLatencyDuringImport(dataDir, `${server.url}/`, mirror.keyring.binary, REDIS_URL);
      } finally {
        const regionId = (await readFile(path.join(dataDir, 'region-id'), 'utf8').catch(() => '')).trim();
        if (regionId !== '') await deleteKeys(redisPrefixFor(regionId));
      }
    } finally {
      await server.close();
    }
    report({ server: server.kind, files: files.length, total, runs, concurrency, times, noop, rss, startedRss, cpuMs, sstreamCpuMs, api, sstream: sstream?.describe });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function report(r: {
  server: string;
  files: number;
  total: number;
  runs: number;
  concurrency: number;
  times: Record<string, number[]>;
  noop: number[];
  rss: number;
  startedRss: number;
  cpuMs: number;
  sstreamCpuMs: number;
  api: ApiDuringImport | undefined;
  sstream: string | undefined;
}): void {
  const best = (name: string): number => Math.min(...(r.times[name] ?? []));
  const rate = (ms: number): number => Math.round(r.total / 1e6 / (ms / 1000));
  console.log(`${r.files} unique files, ${mb(r.total)} MB, from ${r.server}, best of ${r.runs}, concurrency ${r.concurrency}, region state in ${args['database-url'] ? 'PostgreSQL' : 'SQLite'}`);
  console.log('| method | best s | MB/s | all runs (s) |');
  console.log('|---|---:|---:|---|');
  for (const [name, ms] of Object.entries(r.times)) {
    if (ms.length === 0) continue;
    console.log(`| ${name} | ${(best(name) / 1000).toFixed(2)} | ${rate(best(name))} | ${ms.map((m) => (m / 1000).toFixed(2)).join(', ')} |`);
  }
  const ours = rate(best('bootsync import'));
  console.log(`import / curl -o: ${(ours / rate(best('curl -o'))).toFixed(2)} (target >= 0.8)`);
  console.log(`import / curl | tee | sha256sum: ${(ours / rate(best('curl | tee | sha256sum'))).toFixed(2)}`);
  console.log(`no-op re-import: ${Math.round(Math.min(...r.noop))} ms best, runs ${r.noop.map((m) => Math.round(m)).join(', ')} ms (target < 300)`);
  if (r.sstream) console.log(`import wall / sstream-mirror wall: ${(best('bootsync import') / best('sstream-mirror')).toFixed(2)} (target <= 0.5); sstream-mirror: ${r.sstream}`);
  else console.log('sstream-mirror not found (see bench/README.md to get it; --sstream-mirror PATH): no ratio');
  console.log(`region peak RSS: ${r.rss} MB (target <= 250), of which ${r.startedRss} MB before the import started`);
  if (r.api) {
    const l = r.api.latencies;
    console.log(
      `the real region bin importing (noble/amd64, ${r.api.outcome}, ${(r.api.importMs / 1000).toFixed(2)} s): API boot-resources read ` +
        `p50 ${percentile(l, 0.5).toFixed(1)} ms, p99 ${percentile(l, 0.99).toFixed(1)} ms (target < 50), max ${(l.at(-1) ?? NaN).toFixed(1)} ms over ` +
        `${l.length} calls; peak RSS ${r.api.peakRssMb} MB (target <= 250)`,
    );
  }
  const perGb = (ms: number): string => (ms / (r.total / 1e9) / 1000).toFixed(2);
  console.log(`region CPU: ${perGb(r.cpuMs)} s per GB imported (all threads, best run)${r.sstream ? `; sstream-mirror ${perGb(r.sstreamCpuMs)} s per GB` : ''}`);
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
}

if (args.child) await runChild(JSON.parse(args.child) as ChildJob);
else await main();
