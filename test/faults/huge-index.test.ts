import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createRepositories, openRegionDatabase } from '@bootsync/region/db';
import { startMisbehavingServer } from '@bootsync/testkit/http';
import { createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { waitFor } from '@bootsync/testkit/wait';
import { REGION_BIN, deleteRegionKeys, startBin, type Daemon, type LogEvent } from '../daemon-bins.js';
import { nobleOnly } from './region-state.js';
import { report } from './report.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
const HUGE = 300 * MiB;
const RSS_LIMIT = 300 * MiB;

/**
 * An index.sjson of at least `bytes`, clearsigned by the mirror's own key with gpg (openpgp.js
 * would hold it all in memory several times over): a valid index document with a long padding list.
 */
async function writeHugeSignedIndex(mirror: GeneratedMirror, dir: string, bytes: number): Promise<string> {
  const index = join(mirror.root, 'streams/v1/index.json');
  const text = (await readFile(index, 'utf8')).trim();
  const plain = join(dir, 'huge-index.json');
  const out = createWriteStream(plain);
  // Short lines: gpg's clearsign handles lines of up to ~20 000 bytes, as real stream documents have.
  const head = '{"padding": [\n';
  const line = `"${'a'.repeat(98)}",\n`;
  const chunk = Buffer.from(line.repeat(Math.floor(MiB / line.length)));
  const tail = `"end"], ${text.slice(1)}\n`;
  out.write(head);
  for (let left = bytes - head.length - tail.length; left > 0; left -= chunk.length) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end(tail);
  await once(out, 'finish');
  const home = await mkdtemp(join(dir, 'gnupg-'));
  const key = join(dir, 'mirror-key.asc');
  await writeFile(key, mirror.privateKey.armor());
  await run('gpg', ['--batch', '--homedir', home, '--import', key]);
  const signed = join(dir, 'huge-index.sjson');
  await run('gpg', ['--batch', '--homedir', home, '--yes', '--digest-algo', 'SHA512', '--local-user', mirror.keyId, '--clearsign', '--output', signed, plain]);
  // Valid by the very keyring the region's source uses.
  await run('gpgv', ['--keyring', mirror.keyring.binary, signed]);
  await rm(plain);
  return signed;
}

/** Peak resident memory of a running process, from the kernel (VmHWM). */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]) * 1024;
}

async function completeSetCount(dataDir: string): Promise<number> {
  const db = await openRegionDatabase({ file: join(dataDir, 'region.db') });
  try {
    const repos = createRepositories(db);
    let complete = 0;
    for (const r of await repos.bootResources.list()) complete += (await repos.resourceSets.listForResource(r.id)).filter((s) => s.complete).length;
    return complete;
  } finally {
    await db.close();
  }
}

const finished = (d: Daemon): LogEvent | undefined => d.events().find((e) => e.event === 'import.finished');

describe('a huge validly signed index', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('is refused unread (SS_ERR_TOO_LARGE) by the real region, with or without Content-Length; peak RSS stays under 300 MB and the images stay', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bootsync-huge-index-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const mirror = await createSignedMirror(join(dir, 'upstream'), nobleOnly({ squashfs: 256 * 1024 }));
    const server = await startMisbehavingServer({ root: mirror.root });
    cleanups.push(() => server.close());
    const dataDir = join(dir, 'region');
    cleanups.push(() => deleteRegionKeys(dataDir));
    const region = (): Promise<Daemon> =>
      startBin(REGION_BIN, ['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--redis-url', testRedisUrl, '--default-source-url', `${server.url}/`, '--default-keyring', mirror.keyring.binary], 'region.started');

    // A good import first: the region starts importing at once (boot_images_auto_import).
    const first = await region();
    await waitFor('the first import', () => finished(first) !== undefined, 30_000);
    expect(finished(first)).toMatchObject({ outcome: 'succeeded' });
    await first.stop();
    const setsBefore = await completeSetCount(dataDir);
    expect(setsBefore).toBe(2);

    const signed = await writeHugeSignedIndex(mirror, dir, HUGE);
    const size = (await stat(signed)).size;
    expect(size).toBeGreaterThanOrEqual(HUGE);
    await rename(signed, join(mirror.root, 'streams/v1/index.sjson'));

    const figures: Record<string, number> = {};
    for (const [how, noContentLength] of [['content-length', false], ['chunked', true]] as const) {
      server.faults.set('/streams/v1/index.sjson', { noContentLength });
      const daemon = await region();
      try {
        await waitFor(`the import refusing the index (${how})`, () => finished(daemon) !== undefined, 60_000);
        figures[how] = await peakRss(daemon.child.pid as number);
      } finally {
        await daemon.stop();
      }
      expect(finished(daemon), how).toMatchObject({ outcome: 'failed' });
      const failed = daemon.events().find((e) => e.event === 'import.source.failed');
      expect(failed?.err, how).toMatchObject({ code: 'SS_ERR_TOO_LARGE', limit: 64 * MiB, sizeKnown: !noContentLength });
      if (!noContentLength) expect(failed?.err).toMatchObject({ size });
      expect(figures[how], how).toBeLessThan(RSS_LIMIT);
      expect(await completeSetCount(dataDir), how).toBe(setsBefore);
    }
    report('huge signed index', {
      indexBytes: size,
      limit: '64 MiB',
      peakRssMiBContentLength: Math.round((figures['content-length'] ?? 0) / MiB),
      peakRssMiBChunked: Math.round((figures.chunked ?? 0) / MiB),
      setsKept: setsBefore,
    });
  });
});
