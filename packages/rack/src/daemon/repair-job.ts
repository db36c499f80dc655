import type { Queue } from 'bullmq';

/**
 * Queues a sync on the rack's own queue, as the region's "sync now" does (same job name and deduplication id, so
 * it joins one already waiting): the region sees it run, and reads the rack as syncing until it ends.
 */
export async function requestRepair(queue: Queue): Promise<void> {
  await queue.add('sync', { reason: 'repair' }, { deduplication: { id: 'sync-now' }, removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } });
}
