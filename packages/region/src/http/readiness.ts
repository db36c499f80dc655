import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { RegionDatabase } from '../db/index.js';

/** One dependency /readyz checks; `check` rejects with the reason when it is not usable. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface ReadinessReport {
  readonly ready: boolean;
  /** `ok`, or why the check failed. */
  readonly checks: Readonly<Record<string, string>>;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The region's database answers a query: named after its dialect (`sqlite`, as before PostgreSQL, or `postgres`). */
export function databaseCheck(db: RegionDatabase, timeoutMs = 2000): ReadinessCheck {
  return {
    name: db.dialect,
    async check() {
      await withTimeout(db.kysely.selectFrom('boot_sources').select((eb) => eb.fn.countAll().as('n')).execute(), timeoutMs, 'the database');
    },
  };
}

export function redisCheck(redis: Redis, timeoutMs = 1000): ReadinessCheck {
  return {
    name: 'redis',
    async check() {
      const answer = await withTimeout(redis.ping(), timeoutMs, 'Redis');
      if (answer !== 'PONG') throw new Error(`Redis answered ${answer} to PING`);
    },
  };
}

/** Writes and removes a small file in the store: a full or read-only disk fails here before an import does. */
export function storeWritableCheck(storeDir: string): ReadinessCheck {
  return {
    name: 'store',
    async check() {
      const probe = join(storeDir, `.readyz-${randomBytes(6).toString('hex')}`);
      try {
        await writeFile(probe, 'ok');
      } finally {
        await rm(probe, { force: true });
      }
    },
  };
}

export async function checkReadiness(checks: readonly ReadinessCheck[]): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        await c.check();
        return [c.name, 'ok'] as const;
      } catch (err) {
        return [c.name, err instanceof Error ? err.message : String(err)] as const;
      }
    }),
  );
  return { ready: results.every(([, r]) => r === 'ok'), checks: Object.fromEntries(results) };
}
