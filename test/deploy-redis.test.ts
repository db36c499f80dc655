import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '@bootsync/testkit/redis';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const conf = join(repoRoot, 'deploy/redis/redis.conf');

/** The users of deploy/redis/users.acl, with the example passwords. */
const REGION = { username: 'bootsync-region', password: 'CHANGE-ME-region' };
const RACK = { username: 'bootsync-rack', password: 'CHANGE-ME-rack' };

let dir: string;
let port: number;
let server: ChildProcess;
const clients: { close(): Promise<unknown> }[] = [];

const connect = (user: { username: string; password: string } | Record<string, never>, extra: object = {}): Redis => {
  const redis = new Redis({ host: '127.0.0.1', port, ...user, maxRetriesPerRequest: null, ...extra });
  clients.push({ close: async () => redis.disconnect() });
  return redis;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bootsync-redis-conf-'));
  // The production file as it is; only where it listens and keeps its files change, plus an admin user to read CONFIG.
  await copyFile(join(repoRoot, 'deploy/redis/users.acl'), join(dir, 'users.acl'));
  await appendFile(join(dir, 'users.acl'), 'user test-admin on >admin ~* &* +@all\n');
  port = await new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => res(p));
    });
  });
  server = spawn('redis-server', [conf, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--aclfile', join(dir, 'users.acl')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((res, rej) => {
    server.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) res();
    });
    server.once('exit', (code) => rej(new Error(`redis-server refused deploy/redis/redis.conf (exit ${code}):\n${output}`)));
  });
}, 20_000);

afterAll(async () => {
  for (const c of clients) await c.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe('deploy/redis', () => {
  it('redis.conf is accepted by redis-server: no eviction, append-only file on', async () => {
    const admin = connect({ username: 'test-admin', password: 'admin' });
    expect(await admin.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    expect(await admin.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await readdir(dir)).toContain('appendonlydir');
  });

  it('the default user is off, and the bootsync users reach only bootsync keys and no admin command', async () => {
    // No ready check: it would run INFO first and close the connection on NOAUTH before our command is sent.
    const anonymous = connect({}, { enableReadyCheck: false, maxRetriesPerRequest: 0 });
    await expect(anonymous.get('bootsync:x')).rejects.toThrow(/NOAUTH/);
    const rack = connect(RACK);
    await expect(rack.set('other:key', '1')).rejects.toThrow(/NOPERM/);
    await expect(rack.config('GET', 'maxmemory')).rejects.toThrow(/NOPERM/);
    await expect(rack.flushall()).rejects.toThrow(/NOPERM/);
    expect(await rack.set('bootsync:acl-check', '1', 'EX', 5)).toBe('OK');
  });

  it("lets BullMQ work as bootsync uses it: the region's queue, scheduler and events, a rack's worker", async () => {
    const prefix = `bootsync:region:${uniquePrefix('acl')}`;
    const queue = new Queue('rack-acl', { connection: connect(REGION), prefix });
    const events = new QueueEvents('rack-acl', { connection: connect(REGION), prefix });
    const worker = new Worker('rack-acl', async (job) => ({ synced: job.data as unknown }), { connection: connect(RACK), prefix });
    clients.unshift(worker, events, queue);
    await events.waitUntilReady();
    await queue.upsertJobScheduler('every-5m', { every: 300_000 }, { name: 'sync', data: 'scheduled' });
    const job = await queue.add('sync', 'now');
    expect(await job.waitUntilFinished(events, 10_000)).toEqual({ synced: 'now' });
    expect(await queue.getJobSchedulersCount()).toBe(1);
    await queue.obliterate({ force: true });
  });
});
