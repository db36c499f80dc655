import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONNECTION_LIMITS } from '@bootsync/shared/http';
import { openIdleSockets } from '@bootsync/testkit/net';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { waitFor } from '@bootsync/testkit/wait';
import { startRackBin, startRegionBin } from '../rack-daemons.js';
import { report } from './report.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('2000 idle connections to each daemon, as the bins run (CONNECTION_LIMITS)', () => {
  it('are all closed by the region and the rack within the headers bound, and both still answer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bootsync-idle-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // No source to import from: only the HTTP servers matter here.
    const region = await startRegionBin({ dataDir: join(dir, 'region'), redisUrl: testRedisUrl, sourceUrl: 'http://127.0.0.1:9/', keyring: join(dir, 'none.gpg') });
    cleanups.push(async () => {
      await region.stop();
      await region.dropRedisKeys();
    });
    const rack = await startRackBin({ regionUrl: region.url, secretFile: region.secretFile, name: 'rack-idle', dataDir: join(dir, 'rack'), redisUrl: testRedisUrl });
    cleanups.push(async () => void (await rack.stop()));

    // Both at once: each holds 2100 connections for the same ten seconds.
    const held = await Promise.all(
      ([['region', region.url], ['rack', rack.url]] as const).map(async ([name, url]) => {
        const silent = await openIdleSockets(url, 2000);
        const slowloris = await openIdleSockets(url, 100, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        cleanups.push(async () => {
          silent.destroy();
          slowloris.destroy();
        });
        await waitFor(`${name}: every idle connection closed`, () => silent.open() + slowloris.open() === 0, CONNECTION_LIMITS.headersTimeoutMs + 10_000);
        expect((await fetch(`${url}/healthz`)).status, name).toBe(200);
        return Math.max(...silent.closedAfterMs, ...slowloris.closedAfterMs);
      }),
    );
    const [regionHeld = 0, rackHeld = 0] = held;
    expect(regionHeld).toBeLessThan(CONNECTION_LIMITS.headersTimeoutMs + 3_000);
    expect(rackHeld).toBeLessThan(CONNECTION_LIMITS.headersTimeoutMs + 3_000);
    report('idle connections', {
      perDaemon: 2100,
      headersTimeoutS: CONNECTION_LIMITS.headersTimeoutMs / 1000,
      regionLongestHeldS: (regionHeld / 1000).toFixed(1),
      rackLongestHeldS: (rackHeld / 1000).toFixed(1),
    });
  });
});
