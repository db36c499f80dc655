import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Downloader, type FileRequest } from '@bootsync/shared/download';
import { ContentStore, type ExpectedContent, type PartialFile } from '@bootsync/shared/store';
import { startPythonFileServer, writePayload, type PayloadFile, type PythonFileServer } from '@bootsync/testkit/http';

/** A store on a disk slower than the network: every chunk waits a few ms, so bodies sit paused for it. */
class SlowDiskStore extends ContentStore {
  override async partial(expected: ExpectedContent): Promise<PartialFile> {
    const file = await super.partial(expected);
    const push = file.push.bind(file);
    return Object.assign(file, {
      push: async (chunk: Uint8Array): Promise<void> => {
        await push(chunk);
        await sleep(3);
      },
    });
  }
}

let dir: string;
let server: PythonFileServer;
let files: PayloadFile[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bst-conn-close-'));
  // Sizes around the body's 64 KiB high-water mark and well past it: each ends while its body waits, paused.
  files = await Promise.all([90_000, 200_000, 4 * 2 ** 20 + 100_000].map((size, i) => writePayload(dir, `f${i}.bin`, size)));
  server = await startPythonFileServer(dir);
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Downloader: a mirror that closes its connection after each file (python3 -m http.server)', () => {
  it('stores every file byte for byte with a sink slower than the network, and the process lives on', async () => {
    const store = new SlowDiskStore({ root: path.join(dir, 'store') });
    const downloader = new Downloader({ store, concurrency: 3 });
    const request = (p: PayloadFile): FileRequest => ({ url: `${server.url}${p.urlPath}`, size: p.size, checksums: { sha256: p.sha256 } });
    try {
      // undici 7.30.2 unpatched: an AssertionError thrown from the socket's 'end' handler (nodejs/undici#5360) ends
      // the process here, as it ended the region.
      const outcomes = await downloader.download(files.map(request));
      expect(outcomes.map((o) => (o.ok ? o.fetched : o.error.message))).toEqual(files.map((p) => p.size));
      for (const p of files) expect((await readFile(store.pathOf(p.sha256))).equals(p.bytes)).toBe(true);
    } finally {
      await downloader.close();
    }
  });
});
