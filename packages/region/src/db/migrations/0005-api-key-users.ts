import { onBoth, type MigrationStatements } from './migration.js';

/**
 * API keys belong to users, as in MAAS: `is_superuser` says whether the key's user may write (sources, selections,
 * imports, settings). Every key made before this is the admin's, so existing keys stay admin.
 */
export const apiKeyUsers: MigrationStatements = onBoth([
  `ALTER TABLE api_keys ADD COLUMN is_superuser INTEGER NOT NULL DEFAULT 1 CHECK (is_superuser IN (0, 1))`,
]);
