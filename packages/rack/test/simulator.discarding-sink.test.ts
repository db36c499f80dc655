import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChecksumMismatchError, Downloader, type FileRequest } from '@bootsync/shared/download';
import { servePayloads, type PayloadFile, type ServedPayloads } from '@bootsync/testkit/http';
import { DiscardingSink } from '../src/simulator/index.js';

const retry = { attempts: 3, budgetMs: 5_000, baseDelayMs: 5, maxDelayMs: 20, jitter: 0.5 };
let served: ServedPayloads;

beforeAll(async () => {
  served = await servePayloads([300_000, 200_000, 100_000]);
});
afterAll(() => served.close());
beforeEach(() => served.server.faults.clear());

const file = (i: number): PayloadFile => served.files[i] as PayloadFile;
const request = (p: PayloadFile): FileRequest => ({ url: served.urlOf(p), size: p.size, checksums: { sha256: p.sha256 } });

describe('a simulated rack\'s downloads (DiscardingSink)', () => {
  it('verifies what it fetches, holds it without keeping a byte, and refuses wrong bytes as a rack does', async () => {
    const sink = new DiscardingSink();
    const downloader = new Downloader({ store: sink, retry });
    try {
      served.server.faults.set(file(1).urlPath, { corrupt: true });
      const [good, bad] = await downloader.download([request(file(0)), request(file(1))]);
      expect(good).toMatchObject({ ok: true, sha256: file(0).sha256, bytes: file(0).size, fetched: file(0).size });
      expect(bad?.ok).toBe(false);
      expect(bad && !bad.ok ? bad.error : undefined).toBeInstanceOf(ChecksumMismatchError);
      expect(await sink.has(file(0).sha256)).toBe(true);
      expect(await sink.has(file(1).sha256)).toBe(false);
      // Held: asked again, nothing is fetched.
      const before = served.requestsFor(file(0)).length;
      expect((await downloader.download([request(file(0))]))[0]).toMatchObject({ ok: true, fetched: 0 });
      expect(served.requestsFor(file(0))).toHaveLength(before);
    } finally {
      await downloader.close();
    }
  });

  it('resumes a cut transfer from where it stopped, with Range, and still verifies the whole', async () => {
    const sink = new DiscardingSink();
    const downloader = new Downloader({ store: sink, retry });
    try {
      served.server.faults.set(file(2).urlPath, { dropAfterBytes: 40_000, times: 1 });
      const [outcome] = await downloader.download([request(file(2))]);
      expect(outcome).toMatchObject({ ok: true, sha256: file(2).sha256 });
      const requests = served.requestsFor(file(2));
      expect(requests.at(-1)?.range).toMatch(/^bytes=\d+-$/);
      sink.keepOnly(new Set());
      expect(await sink.has(file(2).sha256)).toBe(false);
    } finally {
      await downloader.close();
    }
  });
});
