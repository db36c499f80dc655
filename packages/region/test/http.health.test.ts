import { rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@bootsync/testkit/net';
import { startRegion, type RunningRegion } from '../src/daemon.js';
import { quietLogger, tempDir, testRegionOptions } from './daemon-harness.js';
import { testDialect } from '@bootsync/testkit/postgres';

describe('region HTTP health, readiness and metrics', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function start(redisUrl?: string): Promise<RunningRegion> {
    const dir = await tempDir('http');
    cleanups.push(dir.remove);
    const region = await startRegion(await testRegionOptions(dir.path, redisUrl ? { redisUrl } : {}), quietLogger);
    cleanups.push(region.stop);
    return region;
  }

  it('answers /healthz, and /readyz when the database (SQLite or PostgreSQL), Redis and the store are usable', async () => {
    const region = await start();
    const health = await fetch(`${region.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'alive' });
    const ready = await fetch(`${region.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { [testDialect()]: 'ok', redis: 'ok', store: 'ok' } });
    expect(ready.status).toBe(200);
  });

  it('is alive but not ready when Redis is unreachable, and says so', async () => {
    const region = await start(`redis://127.0.0.1:${await freePort()}`);
    expect((await fetch(`${region.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${region.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe('not ready');
    expect(body.checks[testDialect()]).toBe('ok');
    expect(body.checks.store).toBe('ok');
    expect(body.checks.redis).not.toBe('ok');
  });

  it('is not ready when the store cannot be written', async () => {
    const region = await start();
    await rm(region.identity.paths.store, { recursive: true });
    await writeFile(region.identity.paths.store, 'not a directory');
    const ready = await fetch(`${region.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, string> };
    expect(body.checks.store).toMatch(/ENOTDIR/);
    expect(body.checks.redis).toBe('ok');
  });

  it('exposes the import metrics in Prometheus text format', async () => {
    const region = await start();
    region.metrics.bytesDownloaded.inc(1234);
    region.metrics.importsTotal.inc({ outcome: 'succeeded' });
    const res = await fetch(`${region.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const name of [
      'bootsync_region_files_verified_total',
      'bootsync_region_checksum_failures_total',
      'bootsync_region_import_duration_seconds',
      'bootsync_region_last_successful_import_timestamp_seconds',
    ]) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, 'm'));
    }
    expect(text).toContain('\nbootsync_region_bytes_downloaded_total 1234\n');
    expect(text).toContain('\nbootsync_region_imports_total{outcome="succeeded"} 1\n');
    expect(text).toContain('\nbootsync_region_imports_total{outcome="failed"} 0\n');
  });
});
