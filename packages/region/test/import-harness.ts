import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSignedMirror, type GeneratedMirror, type MirrorSpec } from '@bootsync/testkit/mirror';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { capturingLogger } from '@bootsync/testkit/logs';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@bootsync/testkit/redis';
import { ContentStore } from '@bootsync/shared/store';
import { openRegionRepositories, type BootSource, type NewSelection, type RegionDatabase, type Repositories } from '@bootsync/region/db';
import { ImportService, type ImportFinishedEvent, type ImportServiceDeps, type ImportTuning } from '@bootsync/region/import';
import { testDatabaseTarget } from './test-database.js';

/** Retries short enough that a failing test finishes in well under a second per failure. */
const FAST_TUNING: Partial<ImportTuning> = {
  sourceReadRetry: { budgetMs: 400, baseDelayMs: 50 },
  downloadRetry: { attempts: 2, budgetMs: 400, baseDelayMs: 20, maxDelayMs: 50, jitter: 0 },
  progressIntervalMs: 50,
  sourcesCheckMs: 50,
};

export interface ImportHarness {
  readonly dir: string;
  readonly mirror: GeneratedMirror;
  readonly server: MisbehavingServer;
  readonly db: RegionDatabase;
  readonly repos: Repositories;
  readonly source: BootSource;
  readonly service: ImportService;
  readonly storeRoot: string;
  /** Every log line the service wrote, parsed. */
  readonly logs: Record<string, unknown>[];
  /** Triggers an import and resolves when it finishes. */
  importNow(): Promise<ImportFinishedEvent>;
  /** Resolves with the next finished import. */
  nextFinish(): Promise<ImportFinishedEvent>;
  /** Request paths the upstream server saw since the last call. */
  takeRequests(): string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly spec?: MirrorSpec;
  readonly selections?: readonly NewSelection[];
  readonly retention?: number;
  readonly autoImport?: boolean;
  readonly tuning?: Partial<ImportTuning>;
  /** With `storeRoot`, the store is that directory rather than `<dir>/store`. */
  readonly deps?: Partial<ImportServiceDeps> & { readonly storeRoot?: string };
  /** The region database in `<dir>/region.db` whichever dialect the test project runs on (migrate-db's source). */
  readonly sqlite?: boolean;
}

export const NOBLE_AMD64: NewSelection = { os: 'ubuntu', release: 'noble', arches: ['amd64'], subarches: ['*'], labels: ['*'] };

/**
 * A region's import as it runs for real: a generated signed mirror behind the misbehaving server, a SQLite file,
 * the content store in a temp dir, and the service on the machine's Redis under a prefix of its own.
 */
export async function createImportHarness(options: HarnessOptions = {}): Promise<ImportHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'bootsync-import-'));
  await mkdir(join(dir, 'upstream'));
  const mirror = await createSignedMirror(join(dir, 'upstream'), options.spec);
  const server = await startMisbehavingServer({ root: mirror.root });
  const repos = await openRegionRepositories(options.sqlite ? { file: join(dir, 'region.db') } : await testDatabaseTarget(dir, 'import'));
  const { db } = repos;
  await repos.config.set('boot_images_auto_import', options.autoImport ?? false);
  const source = await repos.bootSources.create({ url: `${server.url}/`, keyringFilename: mirror.keyring.binary });
  for (const selection of options.selections ?? [NOBLE_AMD64]) await repos.selections.create(source.id, selection);

  const { logger, lines: logs } = capturingLogger('bootsync-region-test', 'debug');
  const redisPrefix = uniquePrefix('import');
  const { storeRoot = join(dir, 'store'), ...deps } = options.deps ?? {};
  const service = new ImportService({
    repos,
    store: new ContentStore({ root: storeRoot }),
    redisUrl: testRedisUrl,
    redisPrefix,
    retention: options.retention ?? 1,
    logger,
    tuning: { ...FAST_TUNING, ...options.tuning },
    ...deps,
  });
  const waiting: ((e: ImportFinishedEvent) => void)[] = [];
  service.onImportFinished((event) => waiting.splice(0).forEach((resolve) => resolve(event)));
  const nextFinish = (): Promise<ImportFinishedEvent> => new Promise((resolve) => waiting.push(resolve));
  await service.start();
  let seen = 0;

  return {
    dir, mirror, server, db, repos, source, service, storeRoot, logs,
    nextFinish,
    async importNow() {
      const finished = nextFinish();
      await service.triggerImport();
      return finished;
    },
    takeRequests() {
      const paths = server.requests.slice(seen).map((r) => r.path);
      seen = server.requests.length;
      return paths;
    },
    async close() {
      await service.stop();
      await server.close();
      await db.close();
      await deleteKeys(redisPrefix);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Bytes of the partial files in a store: downloads kept for a later resume. */
export async function partialBytes(storeRoot: string): Promise<number> {
  const dir = join(storeRoot, 'partial');
  let total = 0;
  for (const name of (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.part'))) {
    // A partial may be published (renamed into the store) between the listing and the stat.
    total += (await stat(join(dir, name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

// One copy of each in the testkit; still importable from here by the tests that always did.
export { deleteKeys } from '@bootsync/testkit/redis';
export { freePort } from '@bootsync/testkit/net';
export { waitFor } from '@bootsync/testkit/wait';
