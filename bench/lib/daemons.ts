import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { redisPrefixFor } from '@bootsync/region/identity';
import { deleteKeys } from '@bootsync/testkit/redis';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const REGION_BIN = path.join(repoRoot, 'packages/region/bin/bootsync-region.js');
export const RACK_BIN = path.join(repoRoot, 'packages/rack/bin/bootsync-rack.js');
export const REDIS_URL = process.env.BOOTSYNC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type LogEvent = { event?: string; time?: string; [k: string]: unknown };

/** When a pino line was written (ISO time), in ms since the epoch. */
export const at = (e: LogEvent): number => Date.parse(String(e.time));

/** A bin run as a child process, its pino lines parsed. */
export interface Daemon {
  readonly child: ChildProcess;
  events(): LogEvent[];
  waitFor(event: string, count?: number, ms?: number): Promise<LogEvent>;
  stop(): Promise<void>;
}

export function startDaemon(bin: string, argv: readonly string[]): Daemon {
  const child = spawn(process.execPath, [bin, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Parsed once, as lines arrive: a region with 1,000 racks logs a lot, and polls read its events often.
  const lines: LogEvent[] = [];
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) if (l.startsWith('{')) lines.push(JSON.parse(l) as LogEvent);
  });
  const events = (): LogEvent[] => lines;
  return {
    child,
    events,
    async waitFor(event, count = 1, ms = 600_000) {
      for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(20)) {
        if (child.exitCode !== null) throw new Error(`${bin} exited with ${child.exitCode} before ${event}`);
        const seen = events().filter((e) => e.event === event);
        if (seen.length >= count) return seen[count - 1]!;
      }
      throw new Error(`${bin}: no ${event} within ${ms} ms`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What `maas login` signs with: PLAINTEXT OAuth, empty consumer secret. */
export function oauth(apiKey: string): string {
  const [consumer, token, secret] = apiKey.trim().split(':');
  const nonce = Math.random().toString(36).slice(2);
  return `OAuth oauth_version="1.0", oauth_signature_method="PLAINTEXT", oauth_consumer_key="${consumer}", oauth_token="${token}", oauth_signature="&${secret}", oauth_nonce="${nonce}", oauth_timestamp="${Math.floor(Date.now() / 1000)}"`;
}

export async function until(check: () => Promise<boolean>, what: string, ms = 600_000, everyMs = 50): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(everyMs)) if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

/** Deletes the Redis keys of the region whose data dir is `regionDir` (SCAN: a shared Redis is never blocked); how many. */
export async function dropRegionKeys(regionDir: string, redisUrl: string): Promise<number> {
  const regionId = (await readFile(path.join(regionDir, 'region-id'), 'utf8').catch(() => '')).trim();
  if (regionId === '') return 0;
  return deleteKeys(redisPrefixFor(regionId), redisUrl);
}

/** The region's MAAS API with its admin key (`bootsync-region apikey`). */
export type RegionApi = (method: string, route: string) => Promise<unknown>;

export async function regionApi(regionUrl: string, regionDir: string): Promise<RegionApi> {
  const apiKey = (await promisify(execFile)(process.execPath, [REGION_BIN, 'apikey', '--data-dir', regionDir])).stdout;
  return async (method, route) => {
    const res = await fetch(`${regionUrl}/MAAS/api/2.0/${route}`, { method, headers: { authorization: oauth(apiKey) } });
    if (!res.ok) throw new Error(`${method} ${route}: HTTP ${res.status} ${await res.text()}`);
    return res.headers.get('content-type')?.includes('json') ? res.json() : res.text();
  };
}

/** A gauge's value in a Prometheus text page. */
export function gauge(metrics: string, name: string): number {
  const m = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(metrics);
  if (!m) throw new Error(`${name} missing from /metrics`);
  return Number(m[1]);
}
