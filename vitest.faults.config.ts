import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The fault-and-load suite (test/faults): only `npm run test:faults` runs it, after `npm test` in CI. It mounts
// tmpfs, runs 20 racks and fuzzes the API, so it stays out of the everyday suite; each file is bounded in time.
// It runs once, on SQLite: not in the everyday suite's projects.
const { projects: _projects, ...baseTest } = base.test ?? {};

export default defineConfig({
  ...base,
  test: {
    ...baseTest,
    include: ['test/faults/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
