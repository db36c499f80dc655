import { spawn } from 'node:child_process';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { imageStatus } from '@bootsync/region/status';
import { createImportHarness, freePort, partialBytes, waitFor, type ImportHarness } from './import-harness.js';

let h: ImportHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MiB = 1024 * 1024;
/** A squashfs big enough that a throttled server keeps it downloading for seconds. */
const SLOW_SPEC = { bootloaders: false, centos: false, versions: ['20250718'], sizes: { squashfs: 4 * MiB } };

async function nobleGaStatus(harness: ImportHarness): Promise<string> {
  const resource = await harness.repos.bootResources.findByName('ubuntu/noble', 'amd64/ga-24.04');
  const newest = resource && (await harness.repos.resourceSets.listForResource(resource.id))[0];
  return imageStatus({ newestSet: newest && { complete: newest.complete, bytesDone: newest.bytesDone, totalBytes: newest.size } });
}

function squashfsPath(harness: ImportHarness, release: string): string {
  const item = harness.mirror.items.find((i) => i.ftype === 'squashfs' && i.path.startsWith(`${release}/amd64/`));
  if (!item) throw new Error(`no ${release} squashfs`);
  return `/${item.path}`;
}

const CLOCK_BYTES_PER_SECOND = 512 * 1024;

/**
 * A clock that keeps the pace of this process's event loop, for the "within 2 s" of stopping: the upstream sends a
 * file no test here selects (jammy's squashfs, 8 s of it) at 512 KiB/s, paced by the loop the import runs on. A
 * loaded machine slows it as it slows the import, where the wall clock would fail the check for want of CPU alone.
 */
async function pacedClock(harness: ImportHarness): Promise<{ ms(): number }> {
  const path = squashfsPath(harness, 'jammy');
  harness.server.faults.set(path, { bytesPerSecond: CLOCK_BYTES_PER_SECOND });
  let bytes = 0;
  let ended = false;
  // Read until the harness closes the server; a clock that ended (ran out, or failed) refuses to be read.
  void request(`${harness.server.url}${path}`)
    .then(async ({ body }) => {
      for await (const chunk of body) bytes += (chunk as Buffer).length;
    })
    .catch(() => undefined)
    .finally(() => (ended = true));
  await waitFor('the paced clock running', () => bytes > 0);
  return {
    ms() {
      if (ended) throw new Error('the paced clock ended before the check');
      return (bytes / CLOCK_BYTES_PER_SECOND) * 1000;
    },
  };
}

/** Ticks of the schedule that did not import (boot_images_auto_import false), logged from `from` on. */
const skippedTicks = (harness: ImportHarness, from: number): number => harness.logs.slice(from).filter((l) => l.event === 'import.schedule.skipped').length;

describe('controlling an import', () => {
  it('stop-import cancels within 2 s, keeps the partial, and the next import resumes it with a Range request', async () => {
    h = await createImportHarness({ spec: SLOW_SPEC });
    const squashfs = squashfsPath(h, 'noble');
    h.server.faults.set(squashfs, { bytesPerSecond: 512 * 1024 });
    const finished = h.nextFinish();
    await h.service.triggerImport();
    await waitFor('part of the squashfs on disk', async () => (await partialBytes(h!.storeRoot)) > 64 * 1024);
    expect(await h.service.isImporting()).toBe(true);
    // Progress reaches the file rows while the download runs, so the image reads "Downloading N%".
    await waitFor('progress in the file rows', async () => /^Downloading \d+%$/.test(await nobleGaStatus(h!)));

    const clock = await pacedClock(h);
    const t0 = clock.ms();
    await h.service.stopImport();
    const stopped = await finished;

    expect(clock.ms() - t0).toBeLessThan(2_000);
    expect(stopped.outcome).toBe('stopped');
    expect(await h.service.isImporting()).toBe(false);
    const kept = await partialBytes(h.storeRoot);
    expect(kept).toBeGreaterThan(64 * 1024);

    h.server.faults.clear(squashfs);
    h.takeRequests();
    const resumed = await h.importNow();
    expect(resumed.outcome).toBe('succeeded');
    const asked = h.server.requests.filter((r) => r.path === squashfs).at(-1);
    expect(asked?.range).toMatch(/^bytes=\d+-/);
    expect(Number(/^bytes=(\d+)-/.exec(asked?.range ?? '')?.[1])).toBeGreaterThanOrEqual(kept);
  });

  it('"import now" sent while stop-import runs starts a fresh import within 2 s of the stopped one ending', async () => {
    h = await createImportHarness({ spec: SLOW_SPEC });
    const squashfs = squashfsPath(h, 'noble');
    h.server.faults.set(squashfs, { bytesPerSecond: 256 * 1024 });
    const first = await h.service.triggerImport();
    await waitFor('part of the squashfs on disk', async () => (await partialBytes(h!.storeRoot)) > 16 * 1024);
    const stoppedRun = h.nextFinish();
    const clock = await pacedClock(h);

    // As the Images page does: Stop, then Save selection at once, before the stop has answered.
    const stopping = h.service.stopImport();
    const second = h.service.triggerImport();
    expect((await stoppedRun).outcome).toBe('stopped');
    const stoppedAt = clock.ms();
    await stopping;
    h.server.faults.clear(squashfs);
    const fresh = h.nextFinish();

    expect(await second).toEqual({ jobId: expect.not.stringMatching(first.jobId), deduplicated: false });
    await waitFor('the fresh import to start', async () => (await h!.service.lastRuns(10)).length === 2);
    expect(clock.ms() - stoppedAt).toBeLessThan(2_000);
    expect((await fresh).outcome).toBe('succeeded');
    expect((await h.service.lastRuns(10)).map((r) => r.outcome)).toEqual(['succeeded', 'stopped']);
  });

  it('stopping the service (SIGTERM) aborts a running import within 2 s, records it stopped and keeps the partial', async () => {
    h = await createImportHarness({ spec: SLOW_SPEC });
    h.server.faults.set(squashfsPath(h, 'noble'), { bytesPerSecond: 512 * 1024 });
    await h.service.triggerImport();
    await waitFor('part of the squashfs on disk', async () => (await partialBytes(h!.storeRoot)) > 64 * 1024);

    const clock = await pacedClock(h);
    const t0 = clock.ms();
    await h.service.stop();

    expect(clock.ms() - t0).toBeLessThan(2_000);
    expect((await h.repos.importRuns.list(1))[0]?.outcome).toBe('stopped');
    expect(await partialBytes(h.storeRoot)).toBeGreaterThan(64 * 1024);
  });

  it('drops the partial of an image unselected after a stopped import, at the next import', async () => {
    h = await createImportHarness({ spec: SLOW_SPEC });
    h.server.faults.set(squashfsPath(h, 'noble'), { bytesPerSecond: 512 * 1024 });
    const stopped = h.nextFinish();
    await h.service.triggerImport();
    await waitFor('part of the squashfs on disk', async () => (await partialBytes(h!.storeRoot)) > 64 * 1024);
    await h.service.stopImport();
    expect((await stopped).outcome).toBe('stopped');

    const noble = (await h.repos.selections.listForSource(h.source.id))[0];
    await h.repos.selections.delete(h.source.id, noble?.id ?? -1);
    await h.repos.selections.create(h.source.id, { os: 'ubuntu', release: 'jammy', arches: ['amd64'] });
    expect((await h.importNow()).outcome).toBe('succeeded');

    expect(await partialBytes(h.storeRoot)).toBe(0);
  });

  it('starts over with the new selections when they change during an import (MAAS bug 1766370)', async () => {
    h = await createImportHarness({ spec: SLOW_SPEC });
    h.server.faults.set(squashfsPath(h, 'noble'), { bytesPerSecond: 256 * 1024 });
    const finished = h.nextFinish();
    await h.service.triggerImport();
    await waitFor('the noble download under way', async () => (await partialBytes(h!.storeRoot)) > 0);

    const noble = (await h.repos.selections.listForSource(h.source.id))[0];
    await h.repos.selections.delete(h.source.id, noble?.id ?? -1);
    await h.repos.selections.create(h.source.id, { os: 'ubuntu', release: 'jammy', arches: ['amd64'] });
    const done = await finished;

    expect(done.outcome).toBe('succeeded');
    const images = (await h.repos.bootResources.list()).map((r) => `${r.name} ${r.architecture}`).sort();
    expect(images).toEqual(['ubuntu/jammy amd64/ga-22.04', 'ubuntu/jammy amd64/hwe-22.04']);
    expect(h.logs.some((l) => l.event === 'import.restarted')).toBe(true);
    expect(await h.service.lastRuns(10)).toHaveLength(1);
  });

  it('"import now" while an import is queued or running joins it instead of stacking another', async () => {
    h = await createImportHarness({ spec: SLOW_SPEC });
    h.server.faults.set(squashfsPath(h, 'noble'), { bytesPerSecond: 8 * MiB });
    const finished = h.nextFinish();
    const first = await h.service.triggerImport();
    const second = await h.service.triggerImport();
    await finished;

    expect(first.deduplicated).toBe(false);
    expect(second).toEqual({ jobId: first.jobId, deduplicated: true });
    // A job stacked behind the first would be waiting or running now: once the queue is empty, it would have run.
    await waitFor('the queue empty', async () => !(await h!.service.isImporting()));
    expect(await h.service.lastRuns(10)).toHaveLength(1);
  });

  it('imports at start-up and on schedule while boot_images_auto_import is true, and stops scheduling when it is false', async () => {
    h = await createImportHarness({ spec: { bootloaders: false, centos: false }, autoImport: true, deps: { schedule: '* * * * * *' } });
    await waitFor('the start-up import and a scheduled one', async () => (await h!.service.lastRuns(10)).filter((r) => r.outcome === 'succeeded').length >= 2);
    expect(h.logs.filter((l) => l.event === 'import.queued').map((l) => l.reason)).toEqual(expect.arrayContaining(['startup', 'schedule']));

    await h.repos.config.set('boot_images_auto_import', false);
    await waitFor('the running import to end', async () => !(await h!.service.isImporting()));
    const runs = (await h.service.lastRuns(100)).length;
    const seen = h.logs.length;
    await waitFor('two ticks of the schedule since', () => skippedTicks(h!, seen) >= 2);
    expect(h.logs.slice(seen).filter((l) => l.event === 'import.queued')).toEqual([]);
    expect(await h.service.lastRuns(100)).toHaveLength(runs);
  });

  it('does not import at start-up while boot_images_auto_import is false', async () => {
    h = await createImportHarness({ autoImport: false, deps: { schedule: '* * * * * *' } });
    // The schedule starts just before the start-up import would be queued: by its second tick, a second later,
    // that import would have been.
    await waitFor('two ticks of the schedule', () => skippedTicks(h!, 0) >= 2);
    expect(h.logs.filter((l) => l.event === 'import.queued')).toEqual([]);
    expect(await h.service.isImporting()).toBe(false);
    expect(await h.service.lastRuns(10)).toEqual([]);
    expect(h.server.requests).toEqual([]);
  });
});

describe('regions sharing one Redis', () => {
  it('each imports on its own queue: "import now" on one starts nothing on the other', async () => {
    const other = await createImportHarness({ spec: { bootloaders: false, centos: false } });
    try {
      h = await createImportHarness({ spec: { bootloaders: false, centos: false } });
      await h.importNow();
      expect(await other.service.lastRuns(10)).toEqual([]);
      expect(await other.service.isImporting()).toBe(false);
      expect(other.server.requests).toEqual([]);
      // A later import of the other's own: one started there by ours would have been joined (deduplicated) or run.
      const own = other.nextFinish();
      expect(await other.service.triggerImport()).toMatchObject({ deduplicated: false });
      expect((await own).outcome).toBe('succeeded');
      expect(await other.service.lastRuns(10)).toHaveLength(1);
      expect(await h.service.lastRuns(10)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});

describe('a region started before its Redis', () => {
  it('begins importing once Redis is up', async () => {
    const port = await freePort();
    h = await createImportHarness({ spec: { bootloaders: false, centos: false }, autoImport: true, deps: { redisUrl: `redis://127.0.0.1:${port}` } });
    expect(await h.service.lastRuns(1)).toEqual([]);
    const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    try {
      await waitFor('the start-up import', async () => (await h!.service.lastRuns(1))[0]?.outcome === 'succeeded');
      expect(h.logs.some((l) => l.event === 'import.waiting_for_redis')).toBe(true);
      // Two seconds of reconnection attempts: one line when Redis was missed, one when it came.
      const redisLines = h.logs.filter((l) => /^import\.(queue|worker|redis)\./.test(String(l.event)));
      expect(redisLines.map((l) => l.event)).toEqual(['import.queue.error', 'import.redis.restored']);
      expect(redisLines[1]).toMatchObject({ failures: expect.any(Number), ms: expect.any(Number) });
      await h.close();
      h = undefined;
    } finally {
      redis.kill();
    }
  });
});
