import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, RACK_PROTOCOL_VERSION, rackQueueName, REGISTER_PATH, SYNC_JOB, syncJobData } from '@bootsync/shared/rack-protocol';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { RACK_BIN, type LogEvent } from './daemon-bins.js';
import { eventually, KERNEL_PATH, startRack, startRegion, type RegionUnderTest } from './rack-harness.js';

const NOBLE = { product: 'maas:boot:ubuntu:amd64:ga-24.04:noble', version: '20250101' };
const v1 = { 'boot-kernel': Buffer.from('kernel 20250101 '.repeat(10_000)), squashfs: Buffer.from('root 20250101 '.repeat(30_000)) };

let region: RegionUnderTest;
let secret: string;
/** The region's Redis key prefix, as registration tells a rack. */
let prefix: string;
let rack: Awaited<ReturnType<typeof startRack>>;
const redis = new Redis(testRedisUrl, { maxRetriesPerRequest: null });

beforeAll(async () => {
  region = await startRegion({ intervalMs: 60_000 });
  await region.publishNoble('20250101', v1);
  secret = (await readFile(region.secretFile, 'utf8')).trim();
  rack = await startRack(region, 'rack-now');
  await eventually(async () => ((await region.racks.get('rack-now')).status === 'synced' ? true : undefined), 15_000, 'rack-now synced');
  prefix = String((await register({ protocol: RACK_PROTOCOL_VERSION, name: 'rack-ok' })).body.prefix);
  await region.racks.deregister('rack-ok');
}, 30_000);
afterAll(async () => {
  await rack?.cleanup();
  await region?.close();
  redis.disconnect();
});

const register = async (body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const r = await request(new URL(REGISTER_PATH, region.url), {
    method: 'POST',
    headers: { authorization: bearer(secret), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.statusCode, body: (await r.body.json()) as Record<string, unknown> };
};

/** The bootsync-rack bin pointed at `regionUrl`: its exit code and its log lines, once it has exited. */
async function runRackBin(regionUrl: string): Promise<{ code: number | null; events: LogEvent[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'bootsync-rack-protocol-'));
  try {
    await writeFile(join(dir, 'secret'), 'a-secret\n');
    const args = [RACK_BIN, '--region-url', regionUrl, '--secret-file', join(dir, 'secret'), '--name', 'rack-old',
      '--data-dir', join(dir, 'data'), '--listen', '127.0.0.1:0', '--redis-url', testRedisUrl];
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, args, { timeout: 20_000 }, (_err, out) => resolve({ code: child.exitCode, stdout: out }));
    });
    return { code, events: stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogEvent) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A region of another release, as far as registration goes: answers every registration with `answer`. */
async function otherRegion(answer: { status: number; body: unknown }): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('a rack and a region of different protocol versions refuse each other', () => {
  it('the region refuses to register a rack of an older or a newer version, saying what each speaks and which to upgrade', async () => {
    const older = await register({ name: 'rack-old' });
    expect(older).toEqual({
      status: 400,
      body: {
        protocol: RACK_PROTOCOL_VERSION,
        code: 'RACK_PROTOCOL_MISMATCH',
        error: `region-rack protocol mismatch in the registration request: rack rack-old speaks no version (a release from before protocol versions), the region speaks version ${RACK_PROTOCOL_VERSION}; upgrade bootsync-rack on rack-old to the region's release`,
      },
    });
    const newer = await register({ protocol: RACK_PROTOCOL_VERSION + 1, name: 'rack-new' });
    expect(newer.status).toBe(400);
    expect(newer.body.error).toMatch(/rack rack-new speaks version 2, the region speaks version 1; upgrade bootsync-region/);
    expect(await region.racks.racks.find('rack-old')).toBeUndefined();
    expect(await region.racks.racks.find('rack-new')).toBeUndefined();
  });

  it.each([
    ['from before protocol versions (no version in its answer)', { status: 200, body: { name: 'rack-old', queue: 'rack-rack-old', prefix: 'p', streamPath: '/MAAS/images-stream/', token: 't' } }, /region http:\/\/127\.0\.0\.1:\d+ speaks no version .*; upgrade bootsync-region/],
    ['of a newer version (refusing the rack)', { status: 400, body: { protocol: RACK_PROTOCOL_VERSION + 1, code: 'RACK_PROTOCOL_MISMATCH', error: 'x' } }, /region http:\/\/127\.0\.0\.1:\d+ speaks version 2; upgrade bootsync-rack on rack-old/],
  ])('the rack bin exits non-zero at once against a region %s, logging rack.register.refused with both versions', async (_what, answer, words) => {
    const other = await otherRegion(answer);
    try {
      const { code, events } = await runRackBin(other.url);
      expect(code).toBe(1);
      const refused = events.find((e) => e.event === 'rack.register.refused');
      expect(refused?.err).toMatchObject({ code: 'RACK_PROTOCOL_MISMATCH', rackProtocol: RACK_PROTOCOL_VERSION, message: expect.stringMatching(words) });
      expect(events.filter((e) => e.event === 'rack.register.retry')).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('a rack fails a job queued by a region of another version; the region records why and the rack keeps serving', async () => {
    const queue = new Queue(rackQueueName('rack-now'), { connection: redis, prefix });
    try {
      // Not deduplicated with a sync the rack may still be running: this job must reach it.
      await queue.add(SYNC_JOB, { ...syncJobData('manual'), protocol: RACK_PROTOCOL_VERSION + 1 });
      const error = await eventually(async () => {
        const last = (await region.racks.racks.find('rack-now'))?.lastError;
        return last?.code === 'RACK_PROTOCOL_MISMATCH' ? last : undefined;
      }, 15_000, 'the refused job recorded');
      expect(error.message).toMatch(/in the sync job: rack rack-now speaks version 1, region http:\/\/127\.0\.0\.1:\d+ speaks version 2; upgrade bootsync-rack on rack-now/);
      const kernel = await request(`${rack.daemon.url}/images/${KERNEL_PATH}`);
      expect(Buffer.from(await kernel.body.arrayBuffer()).equals(v1['boot-kernel'])).toBe(true);
    } finally {
      await queue.close();
    }
  });

  it('the region does not read what a rack of an older version reports as held: it reads out of sync, told to upgrade', async () => {
    await region.racks.register('rack-old');
    // A rack from before protocol versions, still running when its region was upgraded: it runs the region's jobs
    // and returns what it holds, unversioned.
    const connection = new Redis(testRedisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker(rackQueueName('rack-old'), async () => ({ snapshot: 's', changed: true, bytesFetched: 1, files: 1, images: [NOBLE] }), { connection, prefix });
    try {
      const error = await eventually(async () => (await region.racks.racks.find('rack-old'))?.lastError ?? undefined, 15_000, 'the old rack recorded');
      expect(error).toMatchObject({ code: 'RACK_PROTOCOL_MISMATCH', message: expect.stringContaining('in the sync result: rack rack-old speaks no version') });
      expect(error.message).toMatch(/upgrade bootsync-rack on rack-old/);
      const view = await region.racks.get('rack-old');
      expect(view).toMatchObject({ status: 'out-of-sync', images: [] });
      expect((await region.racks.imageRackState({ name: 'ubuntu/noble', architecture: 'amd64/ga-24.04' }, NOBLE.version))?.allRacksHaveIt).toBe(false);
    } finally {
      await worker.close();
      connection.disconnect();
      await region.racks.deregister('rack-old');
    }
  });
});

describe('a failed sync crosses as data', () => {
  it('the region records the code, the message, and the image and file the rack could not verify', async () => {
    const v2 = { 'boot-kernel': Buffer.from('kernel 20250201 '.repeat(10_000)), squashfs: v1.squashfs };
    await region.publishNoble('20250201', v2);
    const sha = (await region.racks.stream()).files.get('ubuntu/amd64/ga-24.04/noble/20250201/boot-kernel')!.sha256;
    await writeFile(region.store.pathOf(sha), Buffer.from(v2['boot-kernel']).fill(0x41, 100, 110));
    await region.racks.onImportFinished({ changed: true });
    const failed = await eventually(async () => {
      const last = (await region.racks.racks.find('rack-now'))?.lastError;
      return last?.code === 'STORE_CHECKSUM_MISMATCH' ? last : undefined;
    }, 15_000, 'the mismatch recorded');
    expect(failed).toEqual({
      code: 'STORE_CHECKSUM_MISMATCH',
      message: expect.stringContaining('sha256 mismatch'),
      image: { product: NOBLE.product, version: '20250201' },
      file: 'boot-kernel',
      at: expect.any(String),
    });
  });
});
