import { mkdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentStore } from '@bootsync/shared/store';
import { eventually } from '@bootsync/testkit/wait';
import { RackMetrics } from '@bootsync/rack/metrics';
import { createRackServer } from '@bootsync/rack/server';
import { planSnapshot, publishSnapshot } from '@bootsync/rack/snapshot';
import { bootItem, storeBlob, tempDir } from './rack-fixtures.js';

const KERNEL = 'ubuntu/amd64/ga-24.04/noble/stable/boot-kernel';
const kernel = Buffer.from(Buffer.alloc(3 * 1024 * 1024 + 17).map((_, i) => i % 251));

let dir: string;
let cleanup: () => Promise<void>;
let base: string;
let app: ReturnType<typeof createRackServer>;
let dataDir: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('server'));
  dataDir = join(dir, 'rack');
  await mkdir(dataDir, { recursive: true });
  app = createRackServer({ dataDir, metrics: new RackMetrics('rack-a') });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await cleanup();
});

const get = (path: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') =>
  request(`${base}${path}`, { method, headers }).then(async (r) => ({ status: r.statusCode, headers: r.headers, body: Buffer.from(await r.body.arrayBuffer()) }));

describe('rack HTTP server', () => {
  it('is alive but not ready before the first snapshot, ready after it', async () => {
    expect((await get('/healthz')).status).toBe(200);
    const before = await get('/readyz');
    expect(before.status).toBe(503);
    expect(JSON.parse(before.body.toString())).toEqual({ ready: false, checks: { snapshot: false } });
    expect((await get(`/images/${KERNEL}`)).status).toBe(404);

    const cache = new ContentStore({ root: join(dataDir, 'cache'), fsync: false });
    const sha256 = await storeBlob(cache, kernel);
    const items = [{ ...bootItem('boot-kernel', ''), size: kernel.length, checksums: { sha256 } }];
    const published = await publishSnapshot({ dataDir, plan: planSnapshot(items), blobPath: (s) => cache.pathOf(s) });
    await writeFile(join(dir, 'outside-secret'), 'not for booting machines');
    await symlink(join(dir, 'outside-secret'), join(dataDir, published.name, 'ubuntu/amd64/ga-24.04/noble/stable/escape'));
    expect((await get('/readyz')).status).toBe(200);
  });

  it('serves a whole image with an ETag, and answers HEAD with the same headers and no body', async () => {
    const full = await get(`/images/${KERNEL}`);
    expect(full.status).toBe(200);
    expect(full.body.equals(kernel)).toBe(true);
    expect(full.headers['accept-ranges']).toBe('bytes');
    const head = await get(`/images/${KERNEL}`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(String(kernel.length));
    expect(head.headers.etag).toBe(full.headers.etag);
    expect((await get(`/images/${KERNEL}`, { 'if-none-match': String(full.headers.etag) })).status).toBe(304);
  });

  it('serves byte ranges, suffix ranges, and 416 beyond the end', async () => {
    const part = await get(`/images/${KERNEL}`, { range: 'bytes=1048570-1048585' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1048570-1048585/${kernel.length}`);
    expect(part.body.equals(kernel.subarray(1048570, 1048586))).toBe(true);
    const tail = await get(`/images/${KERNEL}`, { range: 'bytes=-5' });
    expect(tail.headers['content-range']).toBe(`bytes ${kernel.length - 5}-${kernel.length - 1}/${kernel.length}`);
    const beyond = await get(`/images/${KERNEL}`, { range: `bytes=${kernel.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${kernel.length}`);
    const stale = await get(`/images/${KERNEL}`, { range: 'bytes=0-9', 'if-range': '"another"' });
    expect(stale.status).toBe(200);
  });

  it.each([
    ['..', '/images/ubuntu/../../cache/sha256'],
    ['encoded %2e%2e', '/images/%2e%2e/%2e%2e/etc/passwd'],
    ['encoded slash', '/images/ubuntu%2f..%2f..%2fcache'],
    ['a symlink out of the snapshot', '/images/ubuntu/amd64/ga-24.04/noble/stable/escape'],
    ['the hidden manifest', '/images/.snapshot.json'],
    ['a directory', '/images/ubuntu/amd64'],
  ])('never serves a path outside the snapshot: %s', async (_label, path) => {
    const answer = await request(`${base}${path}`, { method: 'GET' });
    const body = await answer.body.text();
    expect(answer.statusCode).toBe(404);
    expect(body).not.toContain('not for booting machines');
  });

  it('exposes the rack metrics', async () => {
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    const text = metrics.body.toString();
    expect(text).toMatch(/bootsync_rack_last_sync_age_seconds\{rack="rack-a"\} -1/);
    expect(text).toContain('bootsync_rack_bytes_fetched_total{rack="rack-a"} 0');
    expect(text).toContain('bootsync_rack_verification_failures_total{rack="rack-a"} 0');
  });

  it('counts what it serves: requests by status, bytes sent, responses in flight back to 0, also for a reader that leaves mid-file', async () => {
    const before = await servingFigures();
    await get(`/images/${KERNEL}`);
    await get(`/images/${KERNEL}`, { range: 'bytes=0-99' });
    await get('/images/nothing-here');
    // A reader that leaves after the first bytes: its response ends, its file is closed, it is no longer in flight.
    const leaving = await request(`${base}/images/${KERNEL}`);
    for await (const _chunk of leaving.body) break;
    await eventually(async () => ((await servingFigures()).inFlight === 0 ? true : undefined), 5_000, 'nothing in flight');
    const after = await servingFigures();
    expect(after.ok - before.ok).toBe(2);
    expect(after.partial - before.partial).toBe(1);
    expect(after.missing - before.missing).toBe(1);
    expect(after.bytes - before.bytes).toBeGreaterThanOrEqual(kernel.length + 100);
    expect(after.bytes - before.bytes).toBeLessThan(2 * kernel.length + 100);
  });

  it('with --accel-redirect answers a GET with X-Accel-Redirect to the file under the data dir, and HEAD, 304 and 416 itself', async () => {
    const accel = createRackServer({ dataDir, metrics: new RackMetrics('rack-b'), accelRedirect: '/_bootsync/rack/' });
    const url = await accel.listen({ host: '127.0.0.1', port: 0 });
    try {
      const snapshot = await readlink(join(dataDir, 'current'));
      const answer = await request(`${url}/images/${KERNEL}`);
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['x-accel-redirect']).toBe(`/_bootsync/rack/${snapshot}/${KERNEL}`);
      expect((await answer.body.arrayBuffer()).byteLength).toBe(0);
      const head = await request(`${url}/images/${KERNEL}`, { method: 'HEAD' });
      expect(head.headers['x-accel-redirect']).toBeUndefined();
      expect(head.headers['content-length']).toBe(String(kernel.length));
      await head.body.dump();
      const etag = String(head.headers.etag);
      const notModified = await request(`${url}/images/${KERNEL}`, { headers: { 'if-none-match': etag } });
      expect([notModified.statusCode, notModified.headers['x-accel-redirect']]).toEqual([304, undefined]);
      await notModified.body.dump();
      expect((await request(`${url}/images/${KERNEL}`, { headers: { range: `bytes=${kernel.length}-` } })).statusCode).toBe(416);
    } finally {
      await accel.close();
    }
  });
});

async function servingFigures(): Promise<{ ok: number; partial: number; missing: number; bytes: number; inFlight: number }> {
  const text = (await get('/metrics')).body.toString();
  const value = (pattern: string): number => Number(new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    ok: value('bootsync_rack_images_requests_total\\{code="200",rack="rack-a"\\}'),
    partial: value('bootsync_rack_images_requests_total\\{code="206",rack="rack-a"\\}'),
    missing: value('bootsync_rack_images_requests_total\\{code="404",rack="rack-a"\\}'),
    bytes: value('bootsync_rack_images_bytes_served_total\\{rack="rack-a"\\}'),
    inFlight: value('bootsync_rack_images_requests_in_flight\\{rack="rack-a"\\}'),
  };
}
