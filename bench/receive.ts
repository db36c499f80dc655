/**
 * Receive-path benchmark: what one Node thread pays per GB to receive (and hash) files over HTTP, by method, beside
 * the Downloader itself, so the bound of the download benchmark can be read off. See bench/README.md.
 *
 *   npx tsc -b bench && node bench/dist/receive.js [--files 4] [--size-mib 256] [--runs 3] [--dir /tmp]
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { Downloader } from '@bootsync/shared/download';
import { ContentStore } from '@bootsync/shared/store';
import { mb, peakRssMb, runAsChild, sh, timed, type ChildMeasure } from './lib/machine.js';
import { PAYLOAD_ARGS, serveRandomFiles, type BenchFile } from './lib/payloads.js';

const METHODS = {
  'undici.request, body discarded': undiciBodies(false),
  'undici.request + sha256': undiciBodies(true),
  'node:net onread 1 MiB + sha256': rawSocketsWithSha256,
  'Downloader, fsync': (job: Job) => downloader(job, true),
  'Downloader, no fsync': (job: Job) => downloader(job, false),
} satisfies Record<string, (job: Job) => Promise<void>>;
type Method = keyof typeof METHODS;

interface Job {
  readonly method: Method;
  readonly baseUrl: string;
  readonly files: readonly BenchFile[];
  readonly storeRoot: string;
}

interface Measured extends ChildMeasure {
  /** CPU of the main thread alone, in ms. */
  readonly mainThreadMs: number;
}

const { values: args } = parseArgs({ options: PAYLOAD_ARGS });

function undiciBodies(hash: boolean): (job: Job) => Promise<void> {
  return async (job) => {
    const agent = new Agent({ connections: job.files.length });
    await Promise.all(
      job.files.map(async (f) => {
        const { body } = await request(`${job.baseUrl}/${f.name}`, { dispatcher: agent });
        const sha256 = createHash('sha256');
        body.on('data', (chunk: Buffer) => hash && sha256.update(chunk));
        await new Promise((resolve, reject) => body.once('end', resolve).once('error', reject));
        if (hash && sha256.digest('hex') !== f.sha256) throw new Error(`${f.name}: wrong sha256`);
      }),
    );
    await agent.close();
  };
}

/** HTTP/1.1 by hand over a socket that reads into one reused 1 MiB buffer (no 64 KiB reads, no stream machinery). */
async function rawSocketsWithSha256(job: Job): Promise<void> {
  const url = new URL(job.baseUrl);
  await Promise.all(
    job.files.map(
      (f) =>
        new Promise<void>((resolve, reject) => {
          const sha256 = createHash('sha256');
          let head = Buffer.alloc(0);
          let inBody = false;
          const socket = connect({
            host: url.hostname,
            port: Number(url.port),
            onread: {
              buffer: Buffer.allocUnsafe(1 << 20),
              // true: keep reading (no backpressure here).
              callback: (n: number, buf: Uint8Array) => {
                if (inBody) {
                  sha256.update(buf.subarray(0, n));
                  return true;
                }
                head = Buffer.concat([head, buf.subarray(0, n)]);
                const end = head.indexOf('\r\n\r\n');
                if (end >= 0) {
                  inBody = true;
                  sha256.update(head.subarray(end + 4));
                }
                return true;
              },
            },
          });
          socket.on('error', reject);
          socket.on('end', () => (sha256.digest('hex') === f.sha256 ? resolve() : reject(new Error(`${f.name}: wrong sha256`))));
          socket.write(`GET /${f.name} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`);
        }),
    ),
  );
}

async function downloader(job: Job, fsync: boolean): Promise<void> {
  const d = new Downloader({ store: new ContentStore({ root: job.storeRoot, fsync }), concurrency: job.files.length });
  const outcomes = await d.download(job.files.map((f) => ({ url: `${job.baseUrl}/${f.name}`, size: f.size, checksums: { sha256: f.sha256 } })));
  await d.close();
  const failed = outcomes.find((o) => !o.ok);
  if (failed && !failed.ok) throw failed.error;
}

/** CPU time of each thread of this process, in ms, from /proc (Linux; clock ticks of 10 ms). */
function threadCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    out.set(tid, (Number(fields[11]) + Number(fields[12])) * 10);
  }
  return out;
}

async function runChild(job: Job): Promise<void> {
  const main = String(process.pid);
  const before = threadCpuMs().get(main) ?? 0;
  const cpu = process.cpuUsage();
  const { ms } = await timed(() => METHODS[job.method](job));
  const { user, system } = process.cpuUsage(cpu);
  const measured: Measured = {
    ms,
    cpuMs: (user + system) / 1000,
    mainThreadMs: (threadCpuMs().get(main) ?? 0) - before,
    peakRssMb: peakRssMb(),
  };
  process.stdout.write(`${JSON.stringify(measured)}\n`);
}

function inChild(job: Job): Promise<Measured> {
  return runAsChild<Measured>(import.meta.url, job, job.method);
}

async function main(): Promise<void> {
  const size = Number(args['size-mib']) * 2 ** 20;
  const count = Number(args.files);
  const work = await mkdtemp(path.join(args.dir, 'bst-bench-receive-'));
  try {
    const { files, server } = await serveRandomFiles(work, count, size);
    const results = new Map<Method, Measured[]>();
    try {
      // Methods interleaved within each run, so a busy spell of the machine spreads over all of them.
      for (let run = 0; run < Number(args.runs); run++) {
        for (const method of Object.keys(METHODS) as Method[]) {
          const storeRoot = path.join(work, 'store');
          await sh('sync');
          results.set(method, [...(results.get(method) ?? []), await inChild({ method, baseUrl: server.url, files, storeRoot })]);
          await rm(storeRoot, { recursive: true, force: true });
        }
      }
    } finally {
      await server.close();
    }
    const gb = (count * size) / 1e9;
    console.log(`${count} x ${size / 2 ** 20} MiB (${mb(count * size)} MB) from ${server.kind}, ${count} at once, best of ${args.runs} by time`);
    console.log('| method | MB/s | CPU s/GB | main thread s/GB | peak RSS MB |');
    console.log('|---|---:|---:|---:|---:|');
    for (const [method, runs] of results) {
      const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
      const perGb = (ms: number): string => (ms / 1000 / gb).toFixed(2);
      console.log(`| ${method} | ${Math.round(gb * 1000 / (best.ms / 1000))} | ${perGb(best.cpuMs)} | ${perGb(best.mainThreadMs)} | ${best.peakRssMb} |`);
    }
    console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (args.child) await runChild(JSON.parse(args.child) as Job);
else await main();
