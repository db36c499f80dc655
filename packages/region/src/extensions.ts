import type { Logger } from '@bootsync/shared/logging';
import type { RegionOptions } from './config/index.js';
import type { RegionExtensions } from './daemon.js';
import { createImportService } from './import/index.js';

/**
 * The pieces other parts of the region plug into the daemon: the import service (src/import) and the HTTP parts
 * (the MAAS API plugin of src/api under /MAAS/api/2.0, the rack endpoints of src/racks). Tests start the daemon
 * with fewer of them; the bin uses these.
 */
export function regionExtensions(options: RegionOptions, logger: Logger): RegionExtensions {
  return {
    createImports: ({ repositories, identity, metrics }) => createImportService({ db: repositories.db, redisUrl: options.redisUrl, redisPrefix: identity.redisPrefix, storeRoot: identity.paths.store, schedule: options.importSchedule, retention: options.retention, logger, metrics }),
    httpParts: () => [],
  };
}
