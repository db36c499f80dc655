import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { redisPrefixFor } from '@bootsync/region/identity';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const REGION_BIN = path.join(repoRoot, 'packages/region/bin/bootsync-region.js');
export const RACK_BIN = path.join(repoRoot, 'packages/rack/bin/bootsync-rack.js');

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
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const events = (): LogEvent[] => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogEvent);
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

export async function until(check: () => Promise<boolean>, what: string, ms = 600_000): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(50)) if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

/** Deletes the Redis keys of the region whose data dir is `regionDir`. */
export async function dropRegionKeys(regionDir: string, redisUrl: string): Promise<void> {
  const regionId = (await readFile(path.join(regionDir, 'region-id'), 'utf8').catch(() => '')).trim();
  if (regionId === '') return;
  const redis = new Redis(redisUrl);
  try {
    const keys = await redis.keys(`${redisPrefixFor(regionId)}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/** A gauge's value in a Prometheus text page. */
export function gauge(metrics: string, name: string): number {
  const m = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(metrics);
  if (!m) throw new Error(`${name} missing from /metrics`);
  return Number(m[1]);
}
