import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentStore } from '@bootsync/shared/store';
import { servePayloads, type ServedPayloads } from '@bootsync/testkit/http';
import { waitFor } from '@bootsync/testkit/wait';
import { transferSettings } from '../src/download/local-transfers.js';
import { WorkerTransfers } from '../src/download/worker-transfers.js';

// The download threads as the process sees them: started for files, stopped once idle, one content at a time.
let served: ServedPayloads;
beforeAll(async () => {
  served = await servePayloads([2_000_000, 3_000]);
});
afterAll(() => served.close());

/** Threads of this process now (Linux): the main thread, libuv's and V8's, and one per download thread. */
async function osThreads(): Promise<number> {
  return Number(/^Threads:\s+(\d+)$/m.exec(await readFile('/proc/self/status', 'utf8'))?.[1]);
}

describe('download threads', () => {
  it('start with the first files, and stop once idle for the idle time', async () => {
    const store = new ContentStore({ root: await mkdtemp(path.join(served.dir, 'store-')) });
    const before = await osThreads();
    const transfers = new WorkerTransfers(store, transferSettings({ store, concurrency: 2 }), 2, 300);
    try {
      const outcomes = await Promise.all(
        served.files.map((p) => transfers.fetch({ url: served.urlOf(p), size: p.size, checksums: { sha256: p.sha256 } }, undefined, () => undefined)),
      );
      expect(outcomes.map((o) => o.ok && o.sha256)).toEqual(served.files.map((p) => p.sha256));
      expect(await osThreads()).toBeGreaterThan(before);
      await waitFor('the idle threads to stop', async () => (await osThreads()) <= before, 10_000);
      // And start again for the next file.
      const small = served.files[1]!;
      const again = await transfers.fetch({ url: served.urlOf(small), size: small.size, checksums: { sha256: small.sha256 } }, undefined, () => undefined);
      expect(again).toMatchObject({ ok: true, fetched: 0 });
    } finally {
      await transfers.close();
      await rm(store.root, { recursive: true, force: true });
    }
  });
});
