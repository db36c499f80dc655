/**
 * The rack simulator's command: N simulated racks in this one process (`@bootsync/rack/simulator`), each
 * registering and running its sync jobs from its own queue as `bootsync-rack` does.
 *
 *   npm run sim:racks -- --racks 1000 [--bytes]
 *       a throwaway region (the real bin, its Redis keys deleted on exit) importing a generated signed image of
 *       --image-mib MiB, and the racks; --import-every S imports a new version of the image every S seconds
 *   npm run sim:racks -- --racks 1000 --region-url URL --secret-file FILE [--redis-url URL] [--bytes]
 *       racks for a region that runs already (their queues stay in its Redis until they are deregistered)
 *
 * Every 5 s it prints what the racks did (and, with its own region, their statuses there); Ctrl-C stops.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '@bootsync/shared/logging';
import { RackSimulator } from '@bootsync/rack/simulator';
import { REDIS_URL, type RegionApi } from './lib/daemons.js';
import { rackStatusCounts } from './lib/rack-status.js';
import { startScaleRegion, type ScaleRegion } from './lib/scale-region.js';

const { values: args } = parseArgs({
  options: {
    racks: { type: 'string', default: '100' },
    'region-url': { type: 'string' },
    'secret-file': { type: 'string' },
    'redis-url': { type: 'string', default: REDIS_URL },
    bytes: { type: 'boolean', default: false },
    'name-prefix': { type: 'string', default: 'sim-rack-' },
    'image-mib': { type: 'string', default: '1' },
    'import-every': { type: 'string' },
    'region-arg': { type: 'string', multiple: true, default: [] },
  },
});

const say = (text: string): void => void process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);

async function main(): Promise<void> {
  const logger = createLogger('sim-racks', { level: process.env.BOOTSYNC_LOG_LEVEL ?? 'warn' });
  let region: ScaleRegion | undefined;
  let work: string | undefined;
  if (args['region-url'] === undefined) {
    work = await mkdtemp(path.join(tmpdir(), 'bootsync-sim-'));
    say(`starting a region in ${work} with a ${args['image-mib']} MiB image…`);
    region = await startScaleRegion({ work, imageMib: Number(args['image-mib']), redisUrl: args['redis-url'], regionArgs: args['region-arg'] });
    say(`region ${region.url} imported its image`);
  } else if (args['secret-file'] === undefined) {
    throw new Error('--region-url needs --secret-file (the region\'s <data dir>/secret)');
  }
  const regionUrl = region?.url ?? (args['region-url'] as string);
  const secretFile = region?.secretFile ?? (args['secret-file'] as string);
  const simulator = new RackSimulator({
    regionUrl,
    secret: (await readFile(secretFile, 'utf8')).trim(),
    secretFile,
    redisUrl: args['redis-url'],
    racks: Number(args.racks),
    namePrefix: args['name-prefix'],
    bytes: args.bytes,
    logger,
  });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(report);
    clearInterval(imports);
    say('stopping…');
    await simulator.stop();
    if (region) say(`region stopped; ${await region.stop()} Redis keys deleted`);
    if (work) await rm(work, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  const report = setInterval(() => void status(simulator, region?.api).then(say, (err: unknown) => say(`status: ${String(err)}`)), 5_000);
  const every = Number(args['import-every'] ?? 0) * 1000;
  const imports = setInterval(() => {
    if (region) void region.importNewVersion().then((at) => say(`import of a new version finished at ${new Date(at).toISOString()}`));
  }, every > 0 ? every : 2 ** 30);
  const started = Date.now();
  await simulator.start();
  say(`${simulator.names.length} racks registered in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function status(simulator: RackSimulator, api: RegionApi | undefined): Promise<string> {
  const s = simulator.summary();
  const sim = `racks ${s.started}/${s.racks} started, ${s.syncs} syncs, ${s.failures} failed, ${(s.bytesFetched / 1e6).toFixed(0)} MB fetched`;
  if (!api) return sim;
  const counts = await rackStatusCounts(api);
  return `${sim}; region: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
