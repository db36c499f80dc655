/**
 * The region's racks: serving them the region stream (built in src/region-stream) and their registration, over
 * HTTP, as the rack protocol (@bootsync/shared/rack-protocol) says; one BullMQ queue and job scheduler per rack,
 * per-rack state from QueueEvents, and rack/image sync status.
 *
 * Composition root: `const racks = new RackService(deps)`; `racks.registerRoutes(app)`; `await racks.start()`;
 * `imports.onImportFinished((e) => void racks.onImportFinished(e))`; pass `racks` as `ApiDeps.racks`;
 * `await racks.stop()` on SIGTERM.
 */
export { RackService, type RackServiceDeps } from './rack-service.js';
export { RackQueues, RACK_SCHEDULER_ID } from './rack-queues.js';
export { imageRackStates, isConnected, rackStatus, type ImageRackStates } from './rack-status.js';
export { rackBootImages } from './rack-boot-images.js';
export { createRackGauges, RACK_STATUSES, type RackGauges, type RackGaugeView } from './rack-metrics.js';
export type * from './rack-types.js';
