import type { Logger } from '@bootsync/shared/logging';
import { ContentStore } from '@bootsync/shared/store';
import { MAAS_API_PREFIX, maasApiPlugin } from './api/index.js';
import type { RegionOptions } from './config/index.js';
import type { RegionExtensions, RegionPart } from './daemon.js';
import { ImportService } from './import/index.js';
import { repairTrigger, StoreScrub } from './integrity/index.js';
import { imagesPagePlugin } from './page/index.js';
import { RackService } from './racks/index.js';
import { createSourceProber } from './source-prober.js';
import { UploadService } from './uploads/index.js';

/**
 * Everything the bin runs beside the daemon's own pieces: the import service (src/import), the racks (src/racks:
 * region stream, registration, per-rack queues), the MAAS API (src/api) under /MAAS/api/2.0, the Images page
 * (src/page) and the store's scrub (src/integrity). Tests start the daemon with fewer of them.
 */
export function regionExtensions(options: RegionOptions, logger: Logger): RegionExtensions {
  return {
    createImports: ({ repositories, identity, metrics }) =>
      new ImportService({
        repos: repositories,
        store: new ContentStore({ root: identity.paths.store }),
        redisUrl: options.redisUrl,
        redisPrefix: identity.redisPrefix,
        schedule: options.importSchedule,
        retention: options.retention,
        maxDocumentSize: options.maxDocumentSize,
        logger,
        metrics,
      }),
    createParts: ({ repositories, identity, metrics, imports }) => {
      if (!imports) return [];
      const store = new ContentStore({ root: identity.paths.store });
      const racks = new RackService({
        repos: repositories,
        store,
        secret: identity.secret,
        redisUrl: options.redisUrl,
        redisPrefix: identity.redisPrefix,
        syncIntervalMs: options.syncInterval,
        logger,
        isImporting: () => imports.isImporting(),
        metrics: metrics.racks,
      });
      let unsubscribe: (() => void) | undefined;
      const rackPart: RegionPart = {
        name: 'racks',
        http: (app) => racks.registerRoutes(app),
        async start() {
          unsubscribe = imports.onImportFinished((event) => void racks.onImportFinished(event));
          await racks.start();
        },
        async stop() {
          unsubscribe?.();
          await racks.stop();
        },
      };
      const uploads = new UploadService({
        repos: repositories,
        store: new ContentStore({ root: identity.paths.store }),
        logger,
        // As MAAS schedules RackControllersImporter: racks pull a finished upload now.
        onPublished: () => racks.importBootImages(),
      });
      const apiPart: RegionPart = {
        name: 'api',
        http: async (app) => {
          const prober = createSourceProber(repositories.config, { maxDocumentSize: options.maxDocumentSize, log: logger });
          const deps = { ...repositories, imports, prober, racks, uploads };
          await app.register(maasApiPlugin, { prefix: MAAS_API_PREFIX, deps });
        },
      };
      const pagePart: RegionPart = {
        name: 'page',
        http: async (app) => {
          await app.register(imagesPagePlugin);
        },
      };
      if (options.scrubInterval === 0) return [rackPart, apiPart, pagePart];
      const scrub = new StoreScrub({
        repos: repositories,
        store,
        logger,
        metrics: metrics.scrub,
        intervalMs: options.scrubInterval,
        requestRepair: repairTrigger(imports, logger),
      });
      const scrubPart: RegionPart = {
        name: 'scrub',
        start: async () => scrub.start(),
        stop: () => scrub.stop(),
      };
      return [rackPart, apiPart, pagePart, scrubPart];
    },
  };
}
