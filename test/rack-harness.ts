import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createLogger, type Logger } from '@bootsync/shared/logging';
import { ContentStore } from '@bootsync/shared/store';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@bootsync/testkit/redis';
import { createRepositories, openRegionDatabase, type Repositories } from '@bootsync/region/db';
import { RackService } from '@bootsync/region/racks';
import { resolveRackConfig, type RackConfigInput } from '@bootsync/rack/config';
import { startRackDaemon, type RackDaemon } from '@bootsync/rack/daemon';

export const silent = createLogger('test', { level: process.env.BOOTSYNC_TEST_LOG ?? 'silent' });
export const KERNEL_PATH = 'ubuntu/amd64/ga-24.04/noble/stable/boot-kernel';
/** A resource's extra exactly as the import writes it (held-sets.ts): no `kind`, which the region stream must not need. */
const IMPORTED_NOBLE_EXTRA = { subarches: 'generic,ga-24.04', title: 'Ubuntu 24.04 LTS' };

export interface RegionUnderTest {
  readonly url: string;
  readonly dir: string;
  readonly secretFile: string;
  readonly repos: Repositories;
  readonly store: ContentStore;
  readonly racks: RackService;
  /**
   * Stores the files and records a complete set of ubuntu/noble amd64/ga-24.04 at `version`; `declaredSizes`
   * makes the region's records (and so its stream) state other sizes than the files have.
   */
  publishNoble(version: string, files: Record<string, Buffer>, declaredSizes?: Record<string, number>): Promise<void>;
  close(): Promise<void>;
}

/** A region as far as racks see it: a real SQLite database, a real store, the racks HTTP routes, real Redis. */
export async function startRegion(options: {
  intervalMs: number;
  redisUrl?: string;
  logger?: Logger;
  streamMaxAgeMs?: number;
  /** --max-rack-transfers (none when absent). */
  maxRackTransfers?: number;
}): Promise<RegionUnderTest> {
  const dir = await mkdtemp(join(tmpdir(), 'bootsync-rack-e2e-'));
  const db = await openRegionDatabase({ file: join(dir, 'region.db') });
  const repos = createRepositories(db);
  const store = new ContentStore({ root: join(dir, 'store'), fsync: false });
  const secret = createHash('sha256').update(dir).digest('hex');
  const secretFile = join(dir, 'secret');
  await writeFile(secretFile, `${secret}\n`);
  const redisPrefix = uniquePrefix('racks');
  const racks = new RackService({
    repos, store, secret, logger: options.logger ?? silent,
    redisUrl: options.redisUrl ?? testRedisUrl,
    redisPrefix,
    syncIntervalMs: options.intervalMs,
    isImporting: async () => false,
    ...(options.streamMaxAgeMs !== undefined ? { streamMaxAgeMs: options.streamMaxAgeMs } : {}),
    ...(options.maxRackTransfers !== undefined ? { maxRackTransfers: options.maxRackTransfers } : {}),
  });
  const app = Fastify();
  racks.registerRoutes(app);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await racks.start();
  return {
    url, dir, secretFile, repos, store, racks,
    async publishNoble(version, files, declaredSizes = {}) {
      const resource = await repos.bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04', extra: IMPORTED_NOBLE_EXTRA });
      const entries = [];
      for (const [filename, bytes] of Object.entries(files)) {
        const blob = await store.importFrom(Readable.from([bytes]), { checksums: { sha256: createHash('sha256').update(bytes).digest('hex') } });
        const size = declaredSizes[filename] ?? blob.size;
        entries.push({ filename, filetype: filename, sha256: blob.sha256, size, bytesDone: size });
      }
      const set = await repos.resourceSets.create(resource.id, { version, label: 'stable', files: entries });
      await repos.resourceSets.markComplete(set.id);
    },
    async close() {
      await racks.stop();
      await deleteKeys(redisPrefix);
      await app.close();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function startRack(
  region: RegionUnderTest,
  name: string,
  extra: { redisUrl?: string; logger?: Logger; settings?: RackConfigInput } = {},
): Promise<{ daemon: RackDaemon; dataDir: string; cleanup: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), `bootsync-${name}-`));
  const config = resolveRackConfig({
    'region-url': region.url, 'secret-file': region.secretFile, name, 'data-dir': dataDir,
    listen: '127.0.0.1:0', 'redis-url': extra.redisUrl ?? testRedisUrl, ...extra.settings,
  });
  const daemon = await startRackDaemon(config, extra.logger ?? silent, { downloaderRetry: { attempts: 2, baseDelayMs: 50, budgetMs: 2_000 } });
  return { daemon, dataDir, cleanup: async () => { await daemon.stop(); await rm(dataDir, { recursive: true, force: true }); } };
}

// One copy in the testkit; still importable from here by the tests that always did.
export { eventually } from '@bootsync/testkit/wait';
