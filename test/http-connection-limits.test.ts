import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionLimits } from '@bootsync/shared/http';
import { createLogger } from '@bootsync/shared/logging';
import { ContentStore } from '@bootsync/shared/store';
import { openIdleSockets } from '@bootsync/testkit/net';
import { waitFor } from '@bootsync/testkit/wait';
import { RackMetrics } from '@bootsync/rack/metrics';
import { createRackServer } from '@bootsync/rack/server';
import { planSnapshot, publishSnapshot } from '@bootsync/rack/snapshot';
import { createHttpApp } from '@bootsync/region/http';
import { bootItem, storeBlob, tempDir } from '@bootsync/rack/testing';

// Short bounds so the test takes seconds; the daemons run with CONNECTION_LIMITS (10 s, 30 s, 5 s).
const LIMITS: ConnectionLimits = { headersTimeoutMs: 600, requestTimeoutMs: 1_200, keepAliveTimeoutMs: 400 };
const KERNEL = 'ubuntu/amd64/ga-24.04/noble/stable/boot-kernel';

type Server = Awaited<ReturnType<typeof createHttpApp>>;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(app: Server): Promise<string> {
  cleanups.push(() => app.close());
  return app.listen({ host: '127.0.0.1', port: 0 });
}

const region = async (): Promise<string> =>
  listen(await createHttpApp({ logger: createLogger('test', { level: 'silent' }), metrics: new Registry(), readiness: [], limits: LIMITS }));

/** A rack serving a 16 MiB kernel: more than the socket buffers hold, so a slow reader keeps the response open. */
async function rack(): Promise<{ url: string; size: number }> {
  const { dir, cleanup } = await tempDir('limits');
  cleanups.push(cleanup);
  const dataDir = join(dir, 'rack');
  await mkdir(dataDir, { recursive: true });
  const kernel = Buffer.alloc(16 * 2 ** 20, 7);
  const cache = new ContentStore({ root: join(dataDir, 'cache'), fsync: false });
  const sha256 = await storeBlob(cache, kernel);
  const items = [{ ...bootItem('boot-kernel', ''), size: kernel.length, checksums: { sha256 } }];
  await publishSnapshot({ dataDir, plan: planSnapshot(items), blobPath: (s) => cache.pathOf(s) });
  return { url: await listen(createRackServer({ dataDir, metrics: new RackMetrics('rack-limits'), limits: LIMITS })), size: kernel.length };
}

describe.each([
  ['region', region],
  ['rack', async () => (await rack()).url],
])('the %s HTTP server bounds connections that send no request', (_name, start) => {
  it('closes 2000 connections that never send a byte, and 100 that never finish their headers, within the bound', async () => {
    const url = await start();
    const silent = await openIdleSockets(url, 2000);
    const slowloris = await openIdleSockets(url, 100, 'GET /healthz HTTP/1.1\r\nHost: rack\r\nX-Slow: ');
    cleanups.push(async () => {
      silent.destroy();
      slowloris.destroy();
    });
    await waitFor('every idle connection closed', () => silent.open() + slowloris.open() === 0, 10_000);
    const slowest = Math.max(...silent.closedAfterMs, ...slowloris.closedAfterMs);
    expect(slowest).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 50);
    expect(slowest).toBeLessThan(LIMITS.headersTimeoutMs + 3_000);
    // And it still answers.
    expect((await request(`${url}/healthz`)).statusCode).toBe(200);
  }, 30_000);

  it('closes an idle keep-alive connection once keepAliveTimeout has passed after its answer', async () => {
    const url = await start();
    const keepAlive = await openIdleSockets(url, 1, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor('the idle keep-alive connection closed', () => keepAlive.open() === 0, 5_000);
    expect(keepAlive.closedAfterMs[0]).toBeGreaterThanOrEqual(LIMITS.keepAliveTimeoutMs - 50);
  });
});

describe('a long download from the rack', () => {
  it('is not cut, though it lasts far longer than every bound and its reader stops for a while', async () => {
    const { url, size } = await rack();
    const res = await request(`${url}/images/${KERNEL}`);
    expect(res.statusCode).toBe(200);
    let received = 0;
    let pauses = 0;
    const started = performance.now();
    for await (const chunk of res.body) {
      received += (chunk as Buffer).length;
      // A reader slower than the disk: stop now and then, for longer than the headers and keep-alive bounds.
      if (pauses < 3 && received > (pauses + 1) * 4 * 2 ** 20) {
        pauses += 1;
        await sleep(LIMITS.requestTimeoutMs);
      }
    }
    expect(received).toBe(size);
    expect(performance.now() - started).toBeGreaterThan(3 * LIMITS.requestTimeoutMs);
  });
});
