import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { request } from 'undici';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { DEFAULT_RELEASES, createSignedMirror, type GeneratedMirror, type PayloadFtype } from '@bootsync/testkit/mirror';
import { freePort } from '@bootsync/testkit/net';
import { eventually } from '@bootsync/testkit/wait';
import type { SnapshotManifest } from '@bootsync/rack/snapshot';
import { oauthHeader, partialBytes } from '@bootsync/region/testing';
import { RACK_BIN, REGION_BIN, deleteRegionKeys, startBin, type Daemon } from './daemon-bins.js';

export type { Daemon } from './daemon-bins.js';

const run = promisify(execFile);

export interface RegionBin extends Daemon {
  readonly dataDir: string;
  readonly secretFile: string;
  /** GET a MAAS API path (under /MAAS/api/2.0/) as the admin. */
  api(path: string, method?: 'GET' | 'POST'): Promise<unknown>;
  /** GET any path of the region (`/MAAS/images-stream/...`) as the admin: the status and the bytes. */
  get(path: string): Promise<{ status: number; body: Buffer }>;
  /** Removes the region's keys from Redis. */
  dropRedisKeys(): Promise<void>;
  /** The admin's `Authorization` header (MAAS OAuth PLAINTEXT), for requests of a test's own. */
  readonly authorization: string;
  /** The admin's key as `bootsync-region apikey` prints it (consumer:token:secret), for `bootsync login`. */
  readonly apiKey: string;
}

export interface RegionBinOptions {
  readonly dataDir: string;
  readonly redisUrl: string;
  readonly sourceUrl: string;
  readonly keyring: string;
  /** @defaultValue `127.0.0.1:0` */
  readonly listen?: string;
  /** @defaultValue `2s` */
  readonly syncInterval?: string;
  /** Added to the region's command line, e.g. `['--scrub-interval', '1s']`. */
  readonly flags?: readonly string[];
  /** The region's `--database-url` (and its `apikey`'s): PostgreSQL rather than SQLite in the data dir. */
  readonly databaseUrl?: string;
}

/** `bootsync-region` from its bin, importing from `sourceUrl` (its default source) at start-up. */
export async function startRegionBin(options: RegionBinOptions): Promise<RegionBin> {
  const database = options.databaseUrl !== undefined ? ['--database-url', options.databaseUrl] : [];
  const daemon = await startBin(
    REGION_BIN,
    [
      '--data-dir', options.dataDir, '--listen', options.listen ?? '127.0.0.1:0', '--redis-url', options.redisUrl,
      '--default-source-url', options.sourceUrl, '--default-keyring', options.keyring, '--sync-interval', options.syncInterval ?? '2s',
      ...database, ...(options.flags ?? []),
    ],
    'region.started',
  );
  const { stdout } = await run(process.execPath, [REGION_BIN, 'apikey', '--data-dir', options.dataDir, ...database]);
  const [consumerKey = '', tokenKey = '', tokenSecret = ''] = stdout.trim().split(':');
  const authorization = oauthHeader({ consumerKey, tokenKey, tokenSecret });
  return {
    ...daemon,
    dataDir: options.dataDir,
    secretFile: join(options.dataDir, 'secret'),
    authorization,
    apiKey: stdout.trim(),
    async api(path, method = 'GET') {
      const response = await request(`${daemon.url}/MAAS/api/2.0/${path}`, { method, headers: { authorization } });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`${method} ${path}: HTTP ${response.statusCode} ${text}`);
      return response.headers['content-type']?.toString().includes('json') ? JSON.parse(text) : text;
    },
    async get(path) {
      const response = await request(`${daemon.url}${path}`, { headers: { authorization } });
      return { status: response.statusCode, body: Buffer.from(await response.body.arrayBuffer()) };
    },
    dropRedisKeys: () => deleteRegionKeys(options.dataDir, options.redisUrl),
  };
}

interface BootResourceView {
  readonly name: string;
  readonly architecture: string;
  readonly status: string;
}

/** True when every boot resource reads `status` (`maas $PROFILE boot-resources read`), else undefined (for `eventually`). */
export async function imagesRead(region: RegionBin, status: string): Promise<true | undefined> {
  const resources = (await region.api('boot-resources/')) as BootResourceView[];
  return resources.length > 0 && resources.every((r) => r.status === status) ? true : undefined;
}

/** The region's view of a rack (`maas $PROFILE rack-controller read NAME`). */
export async function rackController(region: RegionBin, name: string): Promise<{ image_sync_status: string; last_image_sync: string | null; connected: boolean }> {
  return (await region.api(`rackcontrollers/${name}/`)) as { image_sync_status: string; last_image_sync: string | null; connected: boolean };
}

/**
 * `bootsync-rack` from its bin, listening on a free port of 127.0.0.1; `flags` are added (e.g. `--prune-interval 1s`).
 * Several region URLs are given as several `--region-url`.
 */
export function startRackBin(options: {
  regionUrl: string | readonly string[];
  secretFile: string;
  name: string;
  dataDir: string;
  redisUrl: string;
  flags?: readonly string[];
}): Promise<Daemon> {
  const regions = typeof options.regionUrl === 'string' ? [options.regionUrl] : options.regionUrl;
  return startBin(
    RACK_BIN,
    [
      ...regions.flatMap((url) => ['--region-url', url]), '--secret-file', options.secretFile, '--name', options.name, '--data-dir', options.dataDir,
      '--listen', '127.0.0.1:0', '--redis-url', options.redisUrl, ...(options.flags ?? []),
    ],
    'rack.started',
  );
}

/** A rack metric's value from its `/metrics`, e.g. `bootsync_rack_bytes_fetched_total`. */
export async function rackMetric(rack: Daemon, name: string): Promise<number> {
  const text = await (await request(`${rack.url}/metrics`)).body.text();
  const match = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text);
  if (!match) throw new Error(`${name} is not in the rack's /metrics`);
  return Number(match[1]);
}

/**
 * What `current` serves, after checking it is whole: every file its manifest lists is there at its size.
 * Undefined while the rack has published nothing.
 */
export async function wholeCurrent(dataDir: string): Promise<SnapshotManifest | undefined> {
  const name = await readlink(join(dataDir, 'current')).catch(() => undefined);
  if (name === undefined) return undefined;
  const manifest = JSON.parse(await readFile(join(dataDir, name, '.snapshot.json'), 'utf8')) as SnapshotManifest;
  for (const file of manifest.plan.files) {
    const size = (await stat(join(dataDir, name, file.path))).size;
    if (size !== file.size) throw new Error(`${name}/${file.path} holds ${size} bytes, its manifest says ${file.size}`);
  }
  return manifest;
}

/**
 * A TCP forwarder that sends the target's answers at `bytesPerSecond` at most per connection (undefined: full
 * speed), so a rack's sync lasts long enough to be interrupted. With the target down, clients see their connection
 * dropped once they have what it had sent; `cut()` drops them at once. `bytesSent` counts what crossed it towards
 * the clients (headers included): what a link carried; `connections` the connections clients opened: a rack's
 * attempts to reach the region.
 */
export async function startThrottle(
  targetUrl: string,
  bytesPerSecond: number | undefined,
): Promise<{ url: string; setRate(bps: number | undefined): void; bytesSent(): number; connections(): number; cut(): void; close(): Promise<void> }> {
  const target = new URL(targetUrl);
  let rate = bytesPerSecond;
  let sent = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    connections += 1;
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy()).on('close', () => upstream.destroy());
    client.pipe(upstream);
    void (async () => {
      for await (const chunk of upstream as AsyncIterable<Buffer>) {
        const slice = rate ? Math.max(1, Math.floor(rate / 20)) : chunk.length;
        for (let at = 0; at < chunk.length; at += slice) {
          const piece = chunk.subarray(at, at + slice);
          sent += piece.length;
          if (!client.write(piece)) await once(client, 'drain');
          if (rate) await sleep(50);
        }
      }
      client.end();
    })().catch(() => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  // The link breaks: what it still held for the clients is lost, as when the target's host goes down.
  const cut = (): void => {
    for (const s of sockets) s.destroy();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    setRate: (bps) => void (rate = bps),
    bytesSent: () => sent,
    connections: () => connections,
    cut,
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// One copy in the testkit; still importable from here by the tests that always did.
export { startPrivateRedis } from '@bootsync/testkit/redis';

/** One region (imported from a generated signed mirror) and one rack pulling through a throttle, synced. */
export interface RackScene {
  readonly dir: string;
  readonly rackDir: string;
  readonly mirror: GeneratedMirror;
  /** The upstream the region imports from (its faults slow or break single files). */
  readonly source: MisbehavingServer;
  readonly region: RegionBin;
  readonly rack: Daemon;
  readonly throttle: Awaited<ReturnType<typeof startThrottle>>;
  /** Starts the region again on its port (after `region.kill()`), with the same data dir (and `databaseUrl` if given). */
  restartRegion(options?: Pick<RegionBinOptions, 'databaseUrl'>): Promise<RegionBin>;
  /** Starts the rack again with the same name and data dir. */
  restartRack(): Promise<Daemon>;
  /** Waits until the rack holds more than `bytes` of partial downloads. */
  partialOnRack(bytes: number): Promise<void>;
  /** Waits until the rack published a snapshot other than `before` and the region reads it synced; that snapshot. */
  newSnapshotReported(before: SnapshotManifest): Promise<SnapshotManifest>;
  /** A new upstream version, imported by the region at once; the rack's pull is slowed to `bytesPerSecond`. */
  newVersion(serial: string, bytesPerSecond: number | undefined): Promise<void>;
  close(): Promise<void>;
}

export interface RackSceneOptions {
  readonly rack: string;
  readonly redisUrl: string;
  readonly squashfsBytes: number;
  /** Sizes of the other payloads (the mirror's defaults are a few KiB). */
  readonly sizes?: Partial<Record<PayloadFtype, number>>;
  /** Added to the rack's command line, e.g. `['--prune-interval', '1s']`. */
  readonly rackFlags?: readonly string[];
  /** Added to the region's command line, e.g. `['--scrub-interval', '1s']`. */
  readonly regionFlags?: readonly string[];
  /** The rack's first sync through a link this slow (bytes per second per connection); full speed when absent. */
  readonly firstSync?: { readonly bytesPerSecond: number; readonly timeoutMs: number };
}

export async function startRackScene(options: RackSceneOptions): Promise<RackScene> {
  const dir = await mkdtemp(join(tmpdir(), `bootsync-${options.rack}-`));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const noble = DEFAULT_RELEASES.filter((r) => r.release === 'noble');
    const mirror = await createSignedMirror(join(dir, 'upstream'), {
      bootloaders: false, centos: false, releases: noble, arches: ['amd64'], versions: ['20250718'], sizes: { ...options.sizes, squashfs: options.squashfsBytes },
    });
    const source = await startMisbehavingServer({ root: mirror.root });
    cleanups.push(() => source.close());
    const regionOptions = {
      dataDir: join(dir, 'region'), redisUrl: options.redisUrl, sourceUrl: `${source.url}/`, keyring: mirror.keyring.binary,
      ...(options.regionFlags ? { flags: options.regionFlags } : {}),
    };
    const listen = `127.0.0.1:${await freePort()}`;
    const startRegion = (database: Pick<RegionBinOptions, 'databaseUrl'> = {}): Promise<RegionBin> => startRegionBin({ ...regionOptions, ...database, listen });
    // The daemons running now: restarts replace them, cleanup kills whichever runs.
    const live = { region: await startRegion(), rack: undefined as Daemon | undefined };
    const region = live.region;
    cleanups.push(() => region.dropRedisKeys(), () => live.region.kill());
    await eventually(() => imagesRead(region, 'Synced'), 20_000, 'the first import');
    const throttle = await startThrottle(region.url, options.firstSync?.bytesPerSecond);
    cleanups.push(() => throttle.close());
    const rackDir = join(dir, 'rack');
    const startRack = async (): Promise<Daemon> =>
      (live.rack = await startRackBin({
        regionUrl: throttle.url, secretFile: region.secretFile, name: options.rack, dataDir: rackDir, redisUrl: options.redisUrl,
        ...(options.rackFlags ? { flags: options.rackFlags } : {}),
      }));
    cleanups.push(async () => live.rack?.kill());
    await startRack();
    await eventually(
      async () => ((await rackController(region, options.rack)).image_sync_status === 'synced' ? true : undefined),
      options.firstSync?.timeoutMs ?? 20_000,
      'the rack synced',
    );
    const scene: RackScene = {
      dir, rackDir, mirror, source, throttle,
      get region() {
        return live.region;
      },
      get rack() {
        return live.rack!;
      },
      restartRegion: async (database) => (live.region = await startRegion(database)),
      restartRack: startRack,
      async partialOnRack(bytes) {
        await eventually(async () => ((await partialBytes(join(rackDir, 'cache'))) > bytes ? true : undefined), 20_000, `${bytes} bytes of partials on the rack`);
      },
      newSnapshotReported: (before) =>
        eventually(async () => {
          const current = await wholeCurrent(rackDir);
          const synced = (await rackController(live.region, options.rack)).image_sync_status === 'synced';
          return synced && current && current.name !== before.name ? current : undefined;
        }, 40_000, 'a new snapshot published on the rack and reported synced'),
      async newVersion(serial, bytesPerSecond) {
        await mirror.addVersion(serial);
        throttle.setRate(bytesPerSecond);
        await live.region.api('boot-resources/?op=import', 'POST');
      },
      close,
    };
    return scene;
  } catch (err) {
    await close();
    throw err;
  }
}

/** Bytes of the distinct blobs `after` lists that `before` did not: what a rack had to fetch between them. */
export function newBlobBytes(before: SnapshotManifest, after: SnapshotManifest): number {
  const held = new Set(before.plan.files.map((f) => f.sha256));
  const added = new Map(after.plan.files.filter((f) => !held.has(f.sha256)).map((f) => [f.sha256, f.size]));
  return [...added.values()].reduce((a, b) => a + b, 0);
}
