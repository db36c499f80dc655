import { describe, expect, it } from 'vitest';
import { imageStatus } from '@bootsync/region/status';
import type { HeldImage } from '@bootsync/shared/rack-protocol';
import type { RackRecord } from '../src/db/index.js';
import { imageRackStates, rackStatus, type RackStatus } from '../src/racks/index.js';

const NOW = new Date('2025-07-18T12:00:00Z');
const INTERVAL_MS = 300_000;
const NOBLE: HeldImage = { product: 'maas:boot:ubuntu:amd64:ga-24.04:noble', version: '20250718' };
const NOBLE_OLD: HeldImage = { ...NOBLE, version: '20250601' };
const JAMMY: HeldImage = { product: 'maas:boot:ubuntu:amd64:ga-22.04:jammy', version: '20250718' };

/** A rack as the region records it; `seenAgo` in sync intervals (connected while at most two). */
function rack(name: string, over: { seenAgo?: number; syncing?: boolean; holds?: HeldImage[] } = {}): RackRecord {
  const seen = new Date(NOW.getTime() - (over.seenAgo ?? 0.5) * INTERVAL_MS).toISOString();
  return {
    name, registered: seen, lastSeen: seen, lastSync: seen, syncing: over.syncing ?? false, bytesDone: 0, bytesTotal: 0,
    holds: over.holds ?? [], lastResult: null, lastError: null,
  };
}

describe('per-rack status, as MAAS get_image_sync_status words it', () => {
  it.each<[string, RackRecord, { importing?: boolean; offered?: HeldImage[] }, RackStatus]>([
    ['holds exactly what the region offers', rack('r', { holds: [NOBLE, JAMMY] }), {}, 'synced'],
    ['holds nothing of an empty region', rack('r'), { offered: [] }, 'synced'],
    ['lacks an offered image', rack('r', { holds: [NOBLE] }), {}, 'out-of-sync'],
    ['holds an older version', rack('r', { holds: [NOBLE_OLD, JAMMY] }), {}, 'out-of-sync'],
    ['still holds an image the region dropped', rack('r', { holds: [NOBLE, JAMMY] }), { offered: [NOBLE] }, 'out-of-sync'],
    ['is pulling now', rack('r', { syncing: true, holds: [NOBLE] }), {}, 'syncing'],
    ['is pulling while the region imports', rack('r', { syncing: true }), { importing: true }, 'region-importing'],
    ['is synced while the region imports', rack('r', { holds: [NOBLE, JAMMY] }), { importing: true }, 'region-importing'],
    ['was seen two intervals ago', rack('r', { seenAgo: 2, holds: [NOBLE, JAMMY] }), {}, 'synced'],
    ['was last seen over two intervals ago', rack('r', { seenAgo: 2.1, holds: [NOBLE, JAMMY] }), {}, 'unknown'],
    ['is silent while the region imports', rack('r', { seenAgo: 3 }), { importing: true }, 'unknown'],
    ['is silent with a sync it never finished', rack('r', { seenAgo: 3, syncing: true }), {}, 'unknown'],
  ])('a rack that %s', (_case, record, context, expected) => {
    const offered = context.offered ?? [NOBLE, JAMMY];
    expect(rackStatus(record, { now: NOW, intervalMs: INTERVAL_MS, regionImporting: context.importing ?? false, offered })).toBe(expected);
  });

  it('a rack that just registered and never synced is out-of-sync, not unknown', () => {
    const fresh = { ...rack('r'), lastSeen: NOW.toISOString(), lastSync: null };
    expect(rackStatus(fresh, { now: NOW, intervalMs: INTERVAL_MS, regionImporting: false, offered: [NOBLE] })).toBe('out-of-sync');
  });
});

describe('per-image status with racks: "Synced" only when every connected rack holds the newest complete set', () => {
  const complete = { complete: true, bytesDone: 10, totalBytes: 10 };
  it.each<[string, RackRecord[], string]>([
    ['no rack registered', [], 'Synced'],
    ['every rack holds it', [rack('a', { holds: [NOBLE] }), rack('b', { holds: [NOBLE, JAMMY] })], 'Synced'],
    ['the only rack lacking it is disconnected', [rack('a', { holds: [NOBLE] }), rack('b', { seenAgo: 5 })], 'Synced'],
    ['every rack is disconnected', [rack('a', { seenAgo: 5 }), rack('b', { seenAgo: 5, syncing: true })], 'Synced'],
    ['a connected rack holds an older version', [rack('a', { holds: [NOBLE] }), rack('b', { holds: [NOBLE_OLD] })], 'Waiting for rack controller(s) to sync'],
    ['a connected rack lacks it, idle', [rack('a', { holds: [NOBLE] }), rack('b')], 'Waiting for rack controller(s) to sync'],
    ['a connected rack lacks it and another is pulling', [rack('a', { syncing: true, holds: [NOBLE] }), rack('b')], 'Syncing to rack controller(s)'],
    ['the rack lacking it is pulling', [rack('a', { syncing: true })], 'Syncing to rack controller(s)'],
    ['only a disconnected rack is pulling', [rack('a'), rack('b', { seenAgo: 5, syncing: true })], 'Waiting for rack controller(s) to sync'],
  ])('%s', (_case, racks, expected) => {
    const racksState = imageRackStates(racks, NOW, INTERVAL_MS)(NOBLE);
    expect(imageStatus({ newestSet: complete, ...(racksState ? { racks: racksState } : {}) })).toBe(expected);
  });
});
