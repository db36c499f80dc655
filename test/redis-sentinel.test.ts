import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RELEASES, createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { startMisbehavingServer } from '@bootsync/testkit/http';
import { freePort } from '@bootsync/testkit/net';
import { eventually } from '@bootsync/testkit/wait';
import { rackController, startRackBin, startRegionBin, wholeCurrent, type Daemon, type RegionBin } from './rack-daemons.js';

const MASTER_NAME = 'bootsync-test';
let dir: string;
let master: { readonly port: number; stop(): Promise<void> };
/** A replica of `master`, which the Sentinel promotes at a failover. */
let replica: { readonly port: number; stop(): Promise<void> };
let sentinel: { readonly port: number; stop(): Promise<void> };
const cleanups: (() => Promise<unknown>)[] = [];
/** The daemons of the first test, which the second fails the master under. */
let mirror: GeneratedMirror;
let region: RegionBin;
let rack: Daemon;
const rackDir = (): string => join(dir, 'rack');

/** A command to the Redis or Sentinel at `port` on a connection of its own; undefined while it does not answer. */
async function ask(port: number, ...command: [string, ...string[]]): Promise<unknown> {
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return await probe.call(...command);
  } catch {
    return undefined;
  } finally {
    probe.disconnect();
  }
}

const masterPort = async (): Promise<string | undefined> => ((await ask(sentinel.port, 'SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as string[] | undefined)?.[1];

/**
 * A `redis-server` on a free port, keeping nothing on disk but what a replica loads from its master (which it writes
 * even with `--save ''`, a demoted master too), in the test's dir; once it answers, and as a replica once in sync.
 */
async function startRedis(extra: readonly string[]): Promise<{ readonly port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra];
  const child = spawn('redis-server', args, { stdio: 'ignore', cwd: dir });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  };
  const ready = (info: string): boolean => /role:master/.test(info) || /master_link_status:up/.test(info);
  await eventually(async () => (ready(String(await ask(port, 'INFO', 'replication'))) ? true : undefined), 10_000, `redis-server on port ${port}`).catch(
    async (err: unknown) => {
      await stop();
      throw err;
    },
  );
  return { port, stop };
}

/** `redis-server --sentinel` on a free port, monitoring the master at `masterPort` as MASTER_NAME; once it knows it. */
async function startSentinel(masterPort: number): Promise<{ readonly port: number; stop(): Promise<void> }> {
  const port = await freePort();
  // A Sentinel rewrites its configuration file: one of its own, in the test's dir.
  const conf = join(dir, 'sentinel.conf');
  await writeFile(conf, [`port ${port}`, 'bind 127.0.0.1', `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 1`, ''].join('\n'));
  const child: ChildProcess = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore', cwd: dir });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  };
  // It knows the master, and the replica the master told it of (a failover needs one).
  await eventually(async () => {
    const address = (await ask(port, 'SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as string[] | undefined;
    const replicas = (await ask(port, 'SENTINEL', 'replicas', MASTER_NAME)) as unknown[] | undefined;
    return address?.[1] === String(masterPort) && (replicas?.length ?? 0) > 0 ? true : undefined;
  }, 20_000, `a Sentinel on port ${port} monitoring ${MASTER_NAME} and its replica`).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { port, stop };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bootsync-sentinel-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  master = await startRedis([]);
  cleanups.push(() => master.stop());
  replica = await startRedis(['--replicaof', '127.0.0.1', String(master.port)]);
  cleanups.push(() => replica.stop());
  sentinel = await startSentinel(master.port);
  cleanups.push(() => sentinel.stop());
}, 30_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('the daemons through Redis Sentinel', () => {
  it('a region and a rack given only the Sentinel find the master through it, and the rack syncs', async () => {
    mirror = await createSignedMirror(join(dir, 'upstream'), {
      bootloaders: false, centos: false, releases: DEFAULT_RELEASES.filter((r) => r.release === 'noble'), arches: ['amd64'], versions: ['20250718'],
    });
    const source = await startMisbehavingServer({ root: mirror.root });
    cleanups.push(() => source.close());
    // Nothing listens at --redis-url's address: whatever reaches Redis went through the Sentinel.
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const viaSentinel = ['--redis-sentinels', `127.0.0.1:${sentinel.port}`, '--redis-sentinel-name', MASTER_NAME];
    region = await startRegionBin({
      dataDir: join(dir, 'region'), redisUrl: nowhere, sourceUrl: `${source.url}/`, keyring: mirror.keyring.binary, flags: viaSentinel,
    });
    cleanups.push(() => region.kill());
    await eventually(async () => ((await request(`${region.url}/readyz`)).statusCode === 200 ? true : undefined), 20_000, 'the region ready (Redis answering)');

    rack = await startRackBin({ regionUrl: region.url, secretFile: region.secretFile, name: 'rack-sentinel', dataDir: rackDir(), redisUrl: nowhere, flags: viaSentinel });
    cleanups.push(() => rack.kill());
    await eventually(async () => ((await rackController(region, 'rack-sentinel')).image_sync_status === 'synced' ? true : undefined), 30_000, 'the rack synced');
    const current = (await wholeCurrent(rackDir()))!;
    const kernel = current.plan.files.find((f) => f.path.endsWith('/boot-kernel'))!;
    const served = await request(`${rack.url}/images/${kernel.path}`);
    expect(served.statusCode).toBe(200);
    expect((await served.body.arrayBuffer()).byteLength).toBe(kernel.size);

    // The queues are on the master the Sentinel names.
    const onMaster = new Redis({ host: '127.0.0.1', port: master.port });
    try {
      const keys = await onMaster.keys('bootsync:region:*rack-sentinel*');
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      onMaster.disconnect();
    }
    expect([...rack.events(), ...region.events()].filter((e) => /redis/.test(String(e.event)))).toEqual([]);
  }, 90_000);

  it('after a Sentinel failover both reconnect to the new master by themselves, and the rack syncs the next import', async () => {
    const before = (await wholeCurrent(rackDir()))!;
    const oldMaster = await masterPort();
    expect(await ask(sentinel.port, 'SENTINEL', 'failover', MASTER_NAME)).toBe('OK');
    await eventually(async () => ((await masterPort()) === String(replica.port) ? true : undefined), 30_000, 'the replica promoted');
    await eventually(async () => (((await ask(Number(oldMaster), 'ROLE')) as unknown[] | undefined)?.[0] === 'slave' ? true : undefined), 30_000, 'the old master demoted');

    await mirror.addVersion('20250801');
    // The API answers throughout; the import is queued on the new master (the old one is a replica now: read-only).
    await eventually(async () => (await region.api('boot-resources/?op=import', 'POST').then(() => true, () => undefined)), 30_000, 'an import queued');
    const after = await eventually(async () => {
      const current = await wholeCurrent(rackDir());
      const synced = (await rackController(region, 'rack-sentinel')).image_sync_status === 'synced';
      return synced && current && current.name !== before.name ? current : undefined;
    }, 60_000, 'the new set synced by the rack');
    const kernel = (m: typeof before): string | undefined => m.plan.files.find((f) => f.path.endsWith('/boot-kernel'))?.sha256;
    expect(kernel(after)).not.toBe(kernel(before));
    // The old master is a replica now, which refuses writes: the import and the sync were queued on the new one.
    expect(((await ask(Number(oldMaster), 'ROLE')) as unknown[])[0]).toBe('slave');
  }, 120_000);

  it('refuses a Sentinel without the name of its master, saying which setting is missing', async () => {
    const result = await startRegionBin({
      dataDir: join(dir, 'region-unnamed'), redisUrl: `redis://127.0.0.1:${master.port}`, sourceUrl: 'http://127.0.0.1:1/', keyring: '/nowhere',
      flags: ['--redis-sentinels', `127.0.0.1:${sentinel.port}`],
    }).then(
      () => 'started',
      (err: unknown) => String(err),
    );
    expect(result).toMatch(/--redis-sentinel-name: is required with --redis-sentinels/);
  });
});
