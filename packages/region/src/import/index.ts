/**
 * The region's import: a BullMQ queue of the region's own, the schedule, and the import job that reads the boot
 * sources, downloads the selected images into the store and cleans up.
 *
 * `new ImportService(deps: ImportServiceDeps)` (import-service.ts) is the one entry point; the composition root
 * calls `start()` after opening the database and `stop()` on SIGTERM.
 */
export type {
  ImportFinishedEvent,
  ImportMetrics,
  ImportOutcome,
  ImportServiceDeps,
  ImportTuning,
  SourceReadRetry,
} from './service-types.js';
export { createImportSchedule, createIntervalSchedule, DEFAULT_IMPORT_SCHEDULE, type ImportSchedule } from './schedule.js';
export { EmptySourceError, InvalidScheduleError, MissingSha256Error } from './errors.js';
export { importProxy, proxyFor, type ImportProxy } from './proxy.js';
export { ImportService } from './import-service.js';
export { IMPORT_QUEUE, type TriggerResult } from './queue.js';
export { readBootSource } from './source-reads.js';
export { repairTrigger } from './repair-trigger.js';
