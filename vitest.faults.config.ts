import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The fault-and-load suite (test/faults): only `npm run test:faults` runs it, after `npm test` in CI. It mounts
// tmpfs, runs 20 racks and fuzzes the API, so it stays out of the everyday suite; each file is bounded in time.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/faults/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
