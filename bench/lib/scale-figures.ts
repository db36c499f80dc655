import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { percentile } from './latency.js';
import { oauth, REGION_BIN } from './daemons.js';

/** What bench:scale reads of Redis (INFO and DBSIZE). */
export interface RedisFigures {
  /** used_memory, in bytes. */
  readonly usedMemory: number;
  /** total_commands_processed since Redis started. */
  readonly commands: number;
  readonly clients: number;
  readonly keys: number;
}

export async function redisFigures(redis: Redis): Promise<RedisFigures> {
  const info = await redis.info();
  const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  return { usedMemory: field('used_memory'), commands: field('total_commands_processed'), clients: field('connected_clients'), keys: await redis.dbsize() };
}

/** VmRSS and VmHWM (peak) of a live process, in MB. */
export async function processMemoryMb(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

/** The admin's `Authorization` header for the region in `regionDir` (`bootsync-region apikey`). */
export async function adminAuthorization(regionDir: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [REGION_BIN, 'apikey', '--data-dir', regionDir]);
  return oauth(stdout);
}

/** p50 and p99 of `count` GETs of a MAAS API path, one after the other, body read whole, in ms. */
export async function apiLatency(regionUrl: string, authorization: string, route: string, count: number): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const res = await fetch(`${regionUrl}/MAAS/api/2.0/${route}`, { headers: { authorization } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`GET ${route}: HTTP ${res.status}`);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

/** When the share of racks synced first reached each of `shares` (ms after the import's end), from samples in time order. */
export function curveTimes(samples: readonly { readonly ms: number; readonly synced: number }[], total: number, shares: readonly number[]): (number | undefined)[] {
  return shares.map((share) => samples.find((s) => s.synced >= Math.ceil(share * total))?.ms);
}
