import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';

const payload = randomBytes(300_000);
let dir: string;
let server: MisbehavingServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bst-http-'));
  await writeFile(path.join(dir, 'file.bin'), payload);
  server = await startMisbehavingServer({ root: dir });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => server.faults.clear());

async function get(p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const res = await fetch(`${server.url}${p}`, { headers });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

describe('misbehaving server, behaving', () => {
  it('serves a file whole, with validators, and logs the request', async () => {
    const res = await get('/file.bin');
    expect(res.status).toBe(200);
    expect(res.body.equals(payload)).toBe(true);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(res.headers.get('last-modified')).toBeTruthy();
    const last = server.requests.at(-1);
    expect(last).toMatchObject({ method: 'GET', path: '/file.bin', status: 200, bytesSent: payload.length });
  });

  it('serves a range, and the whole file when If-Range no longer matches', async () => {
    const whole = await get('/file.bin');
    const etag = whole.headers.get('etag') as string;
    const part = await get('/file.bin', { range: 'bytes=1000-', 'if-range': etag });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-${payload.length - 1}/${payload.length}`);
    expect(part.body.equals(payload.subarray(1000))).toBe(true);
    const stale = await get('/file.bin', { range: 'bytes=1000-', 'if-range': '"other"' });
    expect(stale.status).toBe(200);
    expect(stale.body.length).toBe(payload.length);
  });

  it('answers 416 past the end and 404 outside the root', async () => {
    expect((await get('/file.bin', { range: `bytes=${payload.length}-` })).status).toBe(416);
    expect((await get('/missing.bin')).status).toBe(404);
    expect((await get('/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
  });
});

describe('misbehaving server, misbehaving', () => {
  it('answers a fault status the given number of times, then recovers', async () => {
    server.faults.set('/file.bin', { status: 500, times: 2 });
    expect((await get('/file.bin')).status).toBe(500);
    expect((await get('/file.bin')).status).toBe(500);
    expect((await get('/file.bin')).status).toBe(200);
  });

  it('drops the connection after N bytes', async () => {
    server.faults.set('*', { dropAfterBytes: 70_000 });
    await expect(get('/file.bin')).rejects.toThrow();
    expect(server.requests.at(-1)?.bytesSent).toBe(70_000);
  });

  it('ignores Range, and sends wrong bytes of the right length', async () => {
    server.faults.set('/file.bin', { ignoreRange: true, corrupt: true });
    const res = await get('/file.bin', { range: 'bytes=10-' });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(payload.length);
    expect(res.body[0]).toBe(~(payload[0] as number) & 0xff);
  });

  it('is slow on request', async () => {
    server.faults.set('/file.bin', { bytesPerSecond: 1_000_000 });
    const started = Date.now();
    const res = await get('/file.bin');
    expect(res.body.equals(payload)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});
