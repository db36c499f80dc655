import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

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
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/.git/**', 'test/faults/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
