import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const ALL_TESTS = ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'];

/**
 * The test files that run a second time with the region on PostgreSQL (the `postgres` project): every test of the
 * region's database, API, imports, daemon and racks, and the CLI's against a region. The rest of the suite does not
 * touch the region database, so it runs once.
 */
const POSTGRES_TESTS = [
  'packages/region/test/{api,daemon,db,http,import,racks,region-stream,source-prober}.*.test.ts',
  'packages/cli/test/cli-{api,import-wait}.test.ts',
];

// Tests import workspace packages by their public subpaths; point those at the TypeScript sources
// so a test run never depends on a stale dist/.
export default defineConfig({
  resolve: {
    alias: [
      // The test harnesses a package offers other packages' tests (tests only: never built).
      { find: /^@bootsync\/(region|rack)\/testing$/, replacement: `${fileURLToPath(new URL('./packages/', import.meta.url))}$1/test/testing.ts` },
      { find: /^@bootsync\/(shared|testkit|region|rack|cli)\/(.+)$/, replacement: `${fileURLToPath(new URL('./packages/', import.meta.url))}$1/src/$2/index.ts` },
    ],
  },
  test: {
    // Each project says what it includes (a project extending this config would add to an `include` here).
    exclude: ['**/node_modules/**', '**/.git/**', 'test/faults/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest runs one file at a time on 2 cores (cores - 1), and most files spend their time waiting on daemons,
    // Redis and PostgreSQL: two at once took the suite (186 files) from 726 s to 437 s here, all passing.
    maxWorkers: 2,
    reporters: ['default'],
    // `npx vitest run FILE` runs a file in each project that has it; `--project sqlite` (or postgres) picks one.
    projects: [
      { extends: true, test: { name: 'sqlite', include: ALL_TESTS } },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: POSTGRES_TESTS,
          // SQLite's own: its file, pragmas and user_version (db.migrate.test.ts runs the migrations on both).
          exclude: ['packages/region/test/db.{database,migrations}.test.ts'],
          // The region harnesses read it (packages/region/test/test-database.ts); the setup file gives each test
          // file a PostgreSQL database of its own and drops it after.
          env: { BOOTSYNC_TEST_DATABASE: 'postgres' },
          setupFiles: ['packages/region/test/postgres-setup.ts'],
        },
      },
    ],
  },
});
