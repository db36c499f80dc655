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

/** The rack side of an image's status: RackSyncState, or undefined while no rack is connected. */
export type ImageRackStates = (image: Pick<StreamImage, 'product' | 'version'>) => RackSyncState | undefined;

/**
 * The rack side of every image's status from one read of the racks, as MAAS intersects over the connected racks:
 * undefined while none is connected (nothing to wait for), else whether every connected rack holds the image and
 * whether one is syncing. The Images page asks for every image each second: one pass over the racks, then a lookup
 * per image, never a pass per image.
 */
export function imageRackStates(racks: readonly RackRecord[], now: Date, intervalMs: number): ImageRackStates {
  const connected = racks.filter((r) => isConnected(r, now, intervalMs));
  if (connected.length === 0) return () => undefined;
  const holders = new Map<string, number>();
  for (const rack of connected) for (const held of new Set(rack.holds.map(key))) holders.set(held, (holders.get(held) ?? 0) + 1);
  const someRackSyncing = connected.some((r) => r.syncing);
  return (image) => ({ allRacksHaveIt: holders.get(key(image)) === connected.length, someRackSyncing });
}

