import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger } from '@bootsync/testkit/logs';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { DEFAULT_RELEASES, createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { deleteKeys, testRedisUrl } from '@bootsync/testkit/redis';
import { eventually } from '@bootsync/testkit/wait';
import { maasCall, startRegion, testRegionOptions, type RunningRegion } from '@bootsync/region/testing';
import { RackSimulator } from '../src/simulator/index.js';
import { tempDir } from './rack-fixtures.js';

const RACKS = 20;
const KiB = 1024;

// The real region in this process (as the bin composes it), importing a small generated signed image at start, and
// 20 simulated racks fetching it byte for byte: each verifies size and sha256 of what it fetches before it reports.
describe('the rack simulator against a real region, with --bytes', { timeout: 120_000 }, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let mirror: GeneratedMirror;
  let upstream: MisbehavingServer;
  let region: RunningRegion | undefined;
  let simulator: RackSimulator | undefined;
  const simLog = capturingLogger('sim-racks', 'warn');

  beforeAll(async () => {
    work = await tempDir('sim-region');
    mirror = await createSignedMirror(join(work.dir, 'upstream'), {
      bootloaders: false, centos: false, releases: DEFAULT_RELEASES.filter((r) => r.release === 'noble'), arches: ['amd64'], versions: ['20250718'],
      sizes: { 'boot-kernel': 64 * KiB, 'boot-initrd': 192 * KiB, squashfs: 768 * KiB },
    });
    upstream = await startMisbehavingServer({ root: mirror.root });
    // Two transfers at once for twenty racks: most of them wait their turn at least once, which must not fail them.
    const options = await testRegionOptions(join(work.dir, 'region'), {
      defaultSourceUrl: `${upstream.url}/`, defaultKeyring: mirror.keyring.binary, syncInterval: 60_000, maxRackTransfers: 2,
    });
    const running = await startRegion(options, capturingLogger('region').logger, 'full');
    region = running;
    await eventually(async () => ((await running.imports?.lastRuns(1))?.[0]?.outcome === 'succeeded' ? true : undefined), 30_000, 'the start-up import');
  }, 60_000);

  afterAll(async () => {
    await simulator?.stop();
    await region?.stop();
    if (region) await deleteKeys(region.identity.redisPrefix);
    await upstream?.close();
    await work?.cleanup();
  });

  it('registers every rack, and each fetches and verifies every blob of the image and reads Synced', async () => {
    const running = region as RunningRegion;
    const api = { app: running.http, key: await running.repositories.apiKeys.ensureAdmin() };
    const read = async (path: string): Promise<unknown> => (await maasCall(api, 'GET', path)).json();
    simulator = new RackSimulator({
      regionUrl: running.url, secret: running.identity.secret, secretFile: running.identity.paths.secret, redisUrl: testRedisUrl,
      racks: RACKS, bytes: true, logger: simLog.logger,
    });
    await simulator.start();

    const statuses = async (): Promise<string[]> => ((await read('rackcontrollers/')) as { image_sync_status: string }[]).map((r) => r.image_sync_status);
    await eventually(async () => {
      const all = await statuses();
      return all.length === RACKS && all.every((s) => s === 'synced') ? true : undefined;
    }, 90_000, `${RACKS} simulated racks synced`);
    const resources = (await read('boot-resources/')) as { status: string }[];
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.map((r) => r.status)).toEqual(resources.map(() => 'Synced'));

    // Every distinct blob of the image, once per rack: what the region stream lists, fetched whole and verified.
    const imageBytes = [...new Map(mirror.items.map((i) => [i.sha256, i.size])).values()].reduce((a, b) => a + b, 0);
    const stats = simulator.stats();
    expect(stats.map((s) => s.failures)).toEqual(stats.map(() => 0));
    expect(stats.map((s) => s.bytesFetched)).toEqual(stats.map(() => imageBytes));
    expect(simLog.lines.filter((l) => l.event === 'rack.sync.failed')).toEqual([]);
  });
});
