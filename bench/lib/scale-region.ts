import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_RELEASES, createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { dropRegionKeys, REDIS_URL, REGION_BIN, regionApi, startDaemon, type Daemon, type RegionApi } from './daemons.js';
import { startStaticServer, type StaticServer } from './nginx.js';

const MiB = 2 ** 20;

/** A region (the real bin) whose default source is a generated signed mirror of one image, imported at start. */
export interface ScaleRegion {
  readonly url: string;
  readonly dir: string;
  readonly secretFile: string;
  readonly daemon: Daemon;
  readonly api: RegionApi;
  readonly mirror: GeneratedMirror;
  /** Bytes a rack fetches for one version of the image (every unique file). */
  readonly imageBytes: number;
  /** A new version of the image upstream, then an import: resolves with the time of its `import.finished`. */
  importNewVersion(): Promise<number>;
  /** Stops the region and the mirror's server and deletes the region's Redis keys; returns how many went. */
  stop(): Promise<number>;
}

export interface ScaleRegionOptions {
  readonly work: string;
  /** Size of one version of the image (ubuntu/noble amd64, ga and hwe: two kernels, two initrds, one squashfs). */
  readonly imageMib: number;
  readonly redisUrl?: string;
  /** More flags for bootsync-region (`--max-rack-transfers 8`, `--sync-interval 5m`). */
  readonly regionArgs?: readonly string[];
}

export async function startScaleRegion(options: ScaleRegionOptions): Promise<ScaleRegion> {
  const { work, imageMib } = options;
  const redisUrl = options.redisUrl ?? REDIS_URL;
  // Kernels and initrds a quarter of the bytes, as in bench:fanout.
  const total = Math.max(imageMib * MiB, 64 * 1024);
  const kernel = Math.round(total / 32);
  const initrd = 3 * kernel;
  const upstream = path.join(work, 'upstream');
  await mkdir(upstream, { recursive: true });
  const mirror = await createSignedMirror(upstream, {
    bootloaders: false,
    centos: false,
    releases: DEFAULT_RELEASES.filter((r) => r.release === 'noble'),
    arches: ['amd64'],
    versions: ['20250718'],
    sizes: { 'boot-kernel': kernel, 'boot-initrd': initrd, squashfs: total - 2 * (kernel + initrd) },
  });
  const server: StaticServer = await startStaticServer(upstream, work);
  const dir = path.join(work, 'region');
  const daemon = startDaemon(REGION_BIN, [
    '--data-dir', dir, '--listen', '127.0.0.1:0', '--redis-url', redisUrl,
    '--default-source-url', `${server.url}/mirror/`, '--default-keyring', mirror.keyring.binary,
    ...(options.regionArgs ?? []),
  ]);
  const stop = async (): Promise<number> => {
    await daemon.stop();
    await server.close();
    return dropRegionKeys(dir, redisUrl);
  };
  try {
    const url = String((await daemon.waitFor('region.started', 1, 60_000)).url);
    const first = await daemon.waitFor('import.finished', 1, 300_000);
    if (first.outcome !== 'succeeded') throw new Error(`the region's first import ended ${String(first.outcome)}`);
    const api = await regionApi(url, dir);
    const version = mirror.items.filter((i) => i.ref.version === '20250718');
    const imageBytes = [...new Map(version.map((i) => [i.sha256, i.size])).values()].reduce((sum, size) => sum + size, 0);
    return {
      url,
      dir,
      secretFile: path.join(dir, 'secret'),
      daemon,
      api,
      mirror,
      imageBytes,
      async importNewVersion() {
        await mirror.addVersion();
        const before = daemon.events().filter((e) => e.event === 'import.finished').length;
        await api('POST', 'boot-resources/?op=import');
        const finished = await daemon.waitFor('import.finished', before + 1, 600_000);
        if (finished.outcome !== 'succeeded' || finished.changed !== true) throw new Error(`the import ended ${String(finished.outcome)}, changed ${String(finished.changed)}`);
        return Date.parse(String(finished.time));
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
