import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@bootsync/testkit/postgres';
import { FILE_DATABASE_ENV } from './test-database.js';

/**
 * Setup of the `postgres` vitest project (vitest.config.ts): each test file gets a PostgreSQL database of its own,
 * made before its first test and dropped after its last (with whatever a failed test left connected); the region
 * harnesses give each region they start a schema of its own in it (test-database.ts).
 */
let database: TestDatabase | undefined;

beforeAll(async () => {
  database = await createTestDatabase('file');
  process.env[FILE_DATABASE_ENV] = database.url;
});

afterAll(async () => {
  delete process.env[FILE_DATABASE_ENV];
  await database?.drop();
});
