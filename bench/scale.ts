/**
 * Scale benchmark (issue 18): one region (the real bin) on a private Redis, N simulated racks in this process
 * (`@bootsync/rack/simulator`, as `npm run sim:racks`) and a few real `bootsync-rack` processes beside them. For each
 * rack count and mode, a fresh Redis and region: the racks register and sync, then at rest Redis memory, keys per
 * rack, commands/s and the API's latency are read; then a new version of the image is imported and the burst timed,
 * from the region's `import.finished` to every rack read "synced" (no-op: racks read the stream only; bytes: they
 * fetch and verify the new version, its size --image-mib), with the curve of racks synced over time, region CPU and
 * peak RSS, Redis commands/s and memory, and failed syncs. In bytes mode, the region's serving rate is measured first
 * (8 parallel curls of the image's blobs with no limit) and the burst compared with what that rate allows.
 *
 *   npm run bench:scale                                        # 100, 300 and 1,000 racks, no-op and bytes
 *   npm run bench:scale -- --racks 100 --modes noop,bytes --image-mib 50 --real-racks 2 [--max-rack-transfers 64]
 *
 * Prints a markdown row per run for bench/README.md ("Issue 18").
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createLogger } from '@bootsync/shared/logging';
import { RegionStreamClient } from '@bootsync/shared/rack-protocol';
import { startPrivateRedis } from '@bootsync/testkit/redis';
import { RackSimulator } from '@bootsync/rack/simulator';
import { RACK_BIN, startDaemon, until, type Daemon } from './lib/daemons.js';
import { processCpuSeconds, sh } from './lib/machine.js';
import { adminAuthorization, apiLatency, curveTimes, processMemoryMb, redisFigures, type RedisFigures } from './lib/scale-figures.js';
import { startScaleRegion, type ScaleRegion } from './lib/scale-region.js';

const { values: args } = parseArgs({
  options: {
    racks: { type: 'string', default: '100,300,1000' },
    modes: { type: 'string', default: 'noop,bytes' },
    'image-mib': { type: 'string', default: '50' },
    'real-racks': { type: 'string', default: '2' },
    'max-rack-transfers': { type: 'string' },
    'api-requests': { type: 'string', default: '50' },
  },
});

type Mode = 'noop' | 'bytes';
const SHARES = [0.1, 0.5, 0.9, 1];
const say = (text: string): void => void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
const s = (ms: number | undefined): string => (ms === undefined ? '–' : (ms / 1000).toFixed(1));
const mbOf = (bytes: number): string => (bytes / 1e6).toFixed(1);

interface RunFigures {
  readonly racks: number;
  readonly mode: Mode;
  readonly registrationMs: number;
  readonly rest: { readonly redis: RedisFigures; readonly commandsPerS: number; readonly keysPerRack: number; readonly redisMbPerRack: number };
  readonly api: { readonly rackControllers: { p50: number; p99: number }; readonly bootResources: { p50: number; p99: number } };
  readonly burst: {
    readonly allSyncedMs: number;
    readonly curve: (number | undefined)[];
    readonly failed: number;
    readonly commandsPerS: number;
    readonly redisPeakMb: number;
    readonly regionCpuPercent: number;
    readonly regionPeakRssMb: number;
  };
  /** bytes mode: what the region's serving rate allows for the burst's bytes, and the burst's time over it. */
  readonly serving?: { readonly mbPerS: number; readonly boundMs: number; readonly ratio: number };
}

async function main(): Promise<void> {
  const counts = args.racks.split(',').map(Number);
  const modes = args.modes.split(',') as Mode[];
  say(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const rows: RunFigures[] = [];
  for (const mode of modes) for (const racks of counts) rows.push(await run(racks, mode));
  process.stdout.write(`\n${table(rows)}\n`);
  say(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

async function run(racks: number, mode: Mode): Promise<RunFigures> {
  const work = await mkdtemp(path.join(tmpdir(), 'bootsync-scale-'));
  const redisServer = await startPrivateRedis();
  const redis = new Redis(redisServer.url);
  const real: Daemon[] = [];
  let region: ScaleRegion | undefined;
  let simulator: RackSimulator | undefined;
  try {
    const imageMib = mode === 'bytes' ? Number(args['image-mib']) : 1;
    say(`${racks} racks, ${mode}: a region with a ${imageMib} MiB image on a private Redis…`);
    const maxTransfers = args['max-rack-transfers'];
    region = await startScaleRegion({
      work, imageMib, redisUrl: redisServer.url,
      regionArgs: ['--sync-interval', '5m', ...(maxTransfers !== undefined ? ['--max-rack-transfers', maxTransfers] : [])],
    });
    const pid = region.daemon.child.pid as number;
    const authorization = await adminAuthorization(region.dir);
    const beforeRacks = await redisFigures(redis);
    const secret = (await readFile(region.secretFile, 'utf8')).trim();
    simulator = new RackSimulator({
      regionUrl: region.url, secret, secretFile: region.secretFile, redisUrl: redisServer.url, racks, bytes: mode === 'bytes',
      logger: createLogger('bench-scale', { level: 'warn' }),
    });
    const t0 = performance.now();
    await simulator.start();
    const registrationMs = performance.now() - t0;
    for (let i = 1; i <= Number(args['real-racks']); i++) {
      real.push(startDaemon(RACK_BIN, [
        '--region-url', region.url, '--secret-file', region.secretFile, '--name', `real-rack-${i}`, '--data-dir', path.join(work, `real-rack-${i}`),
        '--listen', '127.0.0.1:0', '--redis-url', redisServer.url,
      ]));
    }
    const total = racks + real.length;
    const summary = async (): Promise<{ total: number; image_sync_status: Record<string, number> }> =>
      (await (await fetch(`${region!.url}/MAAS/api/2.0/rackcontrollers/?op=summary`, { headers: { authorization } })).json()) as {
        total: number;
        image_sync_status: Record<string, number>;
      };
    await until(async () => {
      const now = await summary();
      return now.total === total && now.image_sync_status.synced === total;
    }, `${total} racks registered and synced`, 600_000, 200);
    say(`${total} racks synced (${s(registrationMs)} s to register the simulated ones); at rest for 10 s…`);

    await sleep(5_000);
    const restStart = await redisFigures(redis);
    await sleep(10_000);
    const rest = await redisFigures(redis);
    const apiCount = Number(args['api-requests']);
    const api = {
      rackControllers: await apiLatency(region.url, authorization, 'rackcontrollers/', apiCount),
      bootResources: await apiLatency(region.url, authorization, 'boot-resources/', apiCount),
    };
    const serving = mode === 'bytes' ? await servingRate(region.url, authorization) : undefined;

    say(`importing a new version; the burst…`);
    const failedBefore = simulator.summary().failures;
    const cpuBefore = await processCpuSeconds(pid);
    const burstRedis = await redisFigures(redis);
    const samples: { at: number; synced: number; changed: number; redisMemory: number }[] = [];
    const burstStart = Date.now();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        // A sample the region or Redis did not answer in time is skipped, not the end of the run.
        try {
          const [counts, figures] = await Promise.all([summary(), redisFigures(redis)]);
          const changed = simulator!.stats().filter((r) => (r.lastChangedAt ?? 0) >= burstStart).length;
          samples.push({ at: Date.now(), synced: counts.image_sync_status.synced ?? 0, changed, redisMemory: figures.usedMemory });
        } catch (err) {
          say(`sample skipped: ${String(err)}`);
        }
        await sleep(100);
      }
    })();
    let finishedAt = 0;
    try {
      const finished = await region.importNewVersion();
      finishedAt = finished;
      await until(async () => {
        const last = samples[samples.length - 1];
        return last !== undefined && last.at > finished && last.synced === total && last.changed === racks;
      }, 'every rack synced after the import', 1_800_000, 100);
    } finally {
      sampling = false;
      await sampler.catch(() => undefined);
    }
    const after = await redisFigures(redis);
    const endAt = samples[samples.length - 1]!.at;
    const cpu = (await processCpuSeconds(pid)) - cpuBefore;
    const allSyncedMs = (samples.find((x) => x.at > finishedAt && x.synced === total)?.at ?? endAt) - finishedAt;
    const curve = curveTimes(samples.filter((x) => x.at > finishedAt).map((x) => ({ ms: x.at - finishedAt, synced: x.synced })), total, SHARES);
    const burstBytes = mode === 'bytes' ? total * region.imageBytes : 0;
    const figures: RunFigures = {
      racks: total,
      mode,
      registrationMs,
      rest: {
        redis: rest,
        commandsPerS: (rest.commands - restStart.commands) / 10,
        keysPerRack: (rest.keys - beforeRacks.keys) / total,
        redisMbPerRack: (rest.usedMemory - beforeRacks.usedMemory) / 1e6 / total,
      },
      api,
      burst: {
        allSyncedMs,
        curve,
        failed: simulator.summary().failures - failedBefore + region.daemon.events().filter((e) => e.event === 'racks.sync.failed' && Date.parse(String(e.time)) >= burstStart).length,
        commandsPerS: (after.commands - burstRedis.commands) / ((endAt - burstStart) / 1000),
        redisPeakMb: Math.max(...samples.map((x) => x.redisMemory)) / 1e6,
        regionCpuPercent: (100 * cpu) / ((endAt - burstStart) / 1000),
        regionPeakRssMb: (await processMemoryMb(pid)).peak,
      },
      ...(serving ? { serving: { mbPerS: serving, boundMs: (burstBytes / (serving * 1e6)) * 1000, ratio: allSyncedMs / ((burstBytes / (serving * 1e6)) * 1000) } } : {}),
    };
    say(JSON.stringify(figures));
    return figures;
  } finally {
    await simulator?.stop();
    for (const rack of real) await rack.stop();
    await region?.stop();
    redis.disconnect();
    await redisServer.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The region's serving rate with no limit and no racks' work: 8 curls at once, each fetching every blob of the image
 * over and over (about 1 GB in all) from the region stream with the admin's key, bytes to /dev/null. MB/s.
 */
async function servingRate(regionUrl: string, authorization: string): Promise<number> {
  const client = new RegionStreamClient({ regionUrl, headers: () => ({ authorization }) });
  const stream = await client.read();
  const blobs = [...new Map(stream.items.map((i) => [i.checksums.sha256, i])).values()];
  const imageBytes = blobs.reduce((sum, i) => sum + i.size, 0);
  const readers = 8;
  const rounds = Math.max(1, Math.ceil(1e9 / (readers * imageBytes)));
  const urls = Array.from({ length: rounds }, () => blobs.map((b) => `'${client.fileUrl(b)}'`)).flat().join(' ');
  const started = performance.now();
  await Promise.all(Array.from({ length: readers }, () => sh(`curl -fsS -H 'Authorization: ${authorization}' ${urls} > /dev/null`)));
  const seconds = (performance.now() - started) / 1000;
  return (readers * rounds * imageBytes) / 1e6 / seconds;
}

function table(rows: readonly RunFigures[]): string {
  const head =
    '| racks (real ones included) | mode | register s | import end → all Synced s | 10 / 50 / 90 / 100 % synced s | failed syncs | Redis MB at rest (per rack KB) | keys per rack | Redis cmd/s rest / burst | Redis peak MB in burst | region CPU % in burst | region peak RSS MB | rack-controllers read p50 / p99 ms | boot-resources read p50 / p99 ms | serving bound s (ratio) |\n' +
    '|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) =>
    [
      r.racks,
      r.mode,
      s(r.registrationMs),
      s(r.burst.allSyncedMs),
      r.burst.curve.map(s).join(' / '),
      r.burst.failed,
      `${mbOf(r.rest.redis.usedMemory)} (${(r.rest.redisMbPerRack * 1000).toFixed(0)})`,
      r.rest.keysPerRack.toFixed(1),
      `${r.rest.commandsPerS.toFixed(0)} / ${r.burst.commandsPerS.toFixed(0)}`,
      r.burst.redisPeakMb.toFixed(1),
      r.burst.regionCpuPercent.toFixed(0),
      r.burst.regionPeakRssMb,
      `${r.api.rackControllers.p50.toFixed(0)} / ${r.api.rackControllers.p99.toFixed(0)}`,
      `${r.api.bootResources.p50.toFixed(0)} / ${r.api.bootResources.p99.toFixed(0)}`,
      r.serving ? `${s(r.serving.boundMs)} (${r.serving.ratio.toFixed(2)}; ${r.serving.mbPerS.toFixed(0)} MB/s)` : '–',
    ].join(' | '),
  );
  return [head, ...lines.map((l) => `| ${l} |`)].join('\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
