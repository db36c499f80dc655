import { onBoth, type MigrationStatements } from './migration.js';

/**
 * A complete set that lost a blob (deleted, or moved aside by the scrub after its bytes changed) is no longer
 * complete, but it stays what the region stream offers for its image until an import has fetched the blob again:
 * racks keep what they hold rather than drop the image. `damaged` marks such sets; completing the set clears it.
 */
export const damagedSets: MigrationStatements = onBoth([
  `ALTER TABLE resource_sets ADD COLUMN damaged INTEGER NOT NULL DEFAULT 0 CHECK (damaged IN (0, 1))`,
]);
