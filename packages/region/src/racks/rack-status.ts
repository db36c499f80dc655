import type { HeldImage } from '@bootsync/shared/rack-protocol';
import type { RackRecord } from '../db/index.js';
import type { StreamImage } from '../region-stream/index.js';
import type { RackSyncState } from '../status/index.js';
import type { RackStatus } from './rack-types.js';

/** A rack is connected while the region heard from it within two sync intervals. */
export function isConnected(rack: RackRecord, now: Date, intervalMs: number): boolean {
  return rack.lastSeen !== null && now.getTime() - Date.parse(rack.lastSeen) <= 2 * intervalMs;
}

const key = (i: HeldImage): string => `${i.product}\n${i.version}`;

/** Per-rack status, as MAAS words it. Pure. */
export function rackStatus(
  rack: RackRecord,
  context: { readonly now: Date; readonly intervalMs: number; readonly regionImporting: boolean; readonly offered: readonly HeldImage[] },
): RackStatus {
  if (!isConnected(rack, context.now, context.intervalMs)) return 'unknown';
  if (context.regionImporting) return 'region-importing';
  if (rack.syncing) return 'syncing';
  const held = new Set(rack.holds.map(key));
  const offered = new Set(context.offered.map(key));
  const same = held.size === offered.size && [...offered].every((k) => held.has(k));
  return same ? 'synced' : 'out-of-sync';
}

/**
 * The rack side of one image's status: undefined while no rack is connected (nothing to wait for, as MAAS
 * intersects over the connected racks), else whether every connected rack holds it and whether one is syncing.
 */
export function imageRackState(
  image: Pick<StreamImage, 'product' | 'version'>,
  racks: readonly RackRecord[],
  now: Date,
  intervalMs: number,
): RackSyncState | undefined {
  const connected = racks.filter((r) => isConnected(r, now, intervalMs));
  if (connected.length === 0) return undefined;
  return {
    allRacksHaveIt: connected.every((r) => r.holds.some((h) => key(h) === key(image))),
    someRackSyncing: connected.some((r) => r.syncing),
  };
}
