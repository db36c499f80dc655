import type { Queue } from 'bullmq';
import { syncNowJob } from '@bootsync/shared/rack-protocol';

/**
 * Queues a sync on the rack's own queue, as the region's "sync now" does (the same job, so it joins one already
 * waiting): the region sees it run, and reads the rack as syncing until it ends.
 */
export async function requestRepair(queue: Queue): Promise<void> {
  const job = syncNowJob('repair');
  await queue.add(job.name, job.data, job.opts);
}
