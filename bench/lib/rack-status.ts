import type { RegionApi } from './daemons.js';

/** Racks per image_sync_status, as the region's rack-controllers read lists them. */
export async function rackStatusCounts(api: RegionApi): Promise<Record<string, number>> {
  const rows = (await api('GET', 'rackcontrollers/')) as { image_sync_status: string }[];
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.image_sync_status] = (counts[r.image_sync_status] ?? 0) + 1;
  return counts;
}
