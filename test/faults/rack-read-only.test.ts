import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveRackConfig } from '@bootsync/rack/config';
import { startRackDaemon, type RackDaemon } from '@bootsync/rack/daemon';
import { capturingLogger } from '@bootsync/testkit/logs';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { KERNEL_PATH, eventually, startRegion, type RegionUnderTest } from '../rack-harness.js';
import { report } from './report.js';
import { mountTmpfs, type Tmpfs } from './tmpfs.js';

const MiB = 1024 * 1024;
const image = (version: string) => ({ 'boot-kernel': Buffer.alloc(64 * 1024, `kernel ${version} `), squashfs: Buffer.alloc(256 * 1024, `root ${version} `) });

let cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  cleanups = [];
});

/** A region with one image, a rack whose data dir is `dataDir`, and the lines the rack logs. */
async function regionAndRack(dataDir: string): Promise<{ region: RegionUnderTest; rack: RackDaemon; lines: Record<string, unknown>[] }> {
  const region = await startRegion({ intervalMs: 60_000 });
  cleanups.push(() => region.close());
  await region.publishNoble('20250101', image('20250101'));
  const { logger, lines } = capturingLogger('rack-ro');
  const config = resolveRackConfig({ 'region-url': region.url, 'secret-file': region.secretFile, name: 'rack-ro', 'data-dir': dataDir, listen: '127.0.0.1:0', 'redis-url': testRedisUrl });
  const rack = await startRackDaemon(config, logger, { downloaderRetry: { attempts: 2, baseDelayMs: 50, budgetMs: 2_000 } });
  cleanups.push(() => rack.stop());
  return { region, rack, lines };
}

async function tmpfs(skip: (note: string) => never): Promise<Tmpfs> {
  const mounted = await mountTmpfs(4 * MiB);
  if ('refused' in mounted) {
    console.warn(`[faults] rack read-only skipped: ${mounted.refused}`);
    return skip(mounted.refused);
  }
  cleanups.push(() => mounted.unmount());
  return mounted;
}

/** The failure the region recorded for the rack, once there is one whose message passes `match`. */
const recordedFailure = (region: RegionUnderTest, match: RegExp) =>
  eventually(async () => {
    const error = (await region.racks.racks.find('rack-ro'))?.lastError;
    return error && match.test(error.message) ? error : undefined;
  }, 15_000, 'a recorded failure');

describe('a rack whose data dir is read-only', () => {
  it('missing on a read-only file system: the sync fails with EROFS and the path, not ENOENT', async (ctx) => {
    const fs = await tmpfs(ctx.skip);
    await fs.readOnly(true);
    const dataDir = join(fs.dir, 'rack');
    const { region, lines } = await regionAndRack(dataDir);

    const failed = await recordedFailure(region, /./);
    expect(failed.code).toBe('RACK_DATA_DIR_UNWRITABLE');
    expect(failed.message).toContain(`rack data dir ${dataDir} cannot be written (EROFS: read-only file system, ${fs.dir})`);
    expect(failed.message).not.toMatch(/ENOENT/);
    expect(lines.find((l) => l.event === 'rack.sync.failed')?.err).toMatchObject({ code: 'RACK_DATA_DIR_UNWRITABLE', errno: 'EROFS', path: fs.dir });
    report('rack read-only data dir (missing)', { code: failed.code, errno: 'EROFS' });
  });

  it('turned read-only after a sync: the next sync fails with EROFS and the path; the rack keeps serving what it had', async (ctx) => {
    const fs = await tmpfs(ctx.skip);
    const dataDir = join(fs.dir, 'rack');
    const { region, rack } = await regionAndRack(dataDir);
    await eventually(async () => ((await region.racks.get('rack-ro')).status === 'synced' ? true : undefined), 15_000, 'rack-ro synced');
    await fs.readOnly(true);
    await region.publishNoble('20250201', image('20250201'));
    await region.racks.onImportFinished({ changed: true });

    const failed = await recordedFailure(region, /./);
    expect(failed.code).toBe('RACK_DATA_DIR_UNWRITABLE');
    expect(failed.message).toMatch(new RegExp(`^rack data dir ${dataDir} cannot be written \\(EROFS: read-only file system, ${dataDir}[/,)]`));
    const kernel = await request(`${rack.url}/images/${KERNEL_PATH}`);
    expect(kernel.statusCode).toBe(200);
    expect(Buffer.from(await kernel.body.arrayBuffer()).equals(image('20250101')['boot-kernel'])).toBe(true);
    report('rack read-only data dir (after a sync)', { code: failed.code, errno: 'EROFS', kept: 'serving 20250101' });
  });
});
