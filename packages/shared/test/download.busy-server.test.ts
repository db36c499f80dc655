import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Downloader, HttpStatusError, RetriesExhaustedError, retryAfterMs, turnDelay, type FileRequest } from '@bootsync/shared/download';
import { ContentStore } from '@bootsync/shared/store';
import { servePayloads, type PayloadFile, type ServedPayloads } from '@bootsync/testkit/http';

// One attempt only: a turn waited must never count as a failed attempt.
const oneAttempt = { attempts: 1, budgetMs: 5_000, baseDelayMs: 5, maxDelayMs: 20, jitter: 0.5 };
let served: ServedPayloads;
let store: ContentStore;
const closing: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  served = await servePayloads(Array.from({ length: 8 }, (_, i) => 50_000 + i));
});
afterAll(() => served.close());
beforeEach(async () => {
  served.server.faults.clear();
  store = new ContentStore({ root: await mkdtemp(path.join(served.dir, 'store-')) });
});
afterEach(async () => {
  for (const c of closing.splice(0)) await c.close();
  await rm(store.root, { recursive: true, force: true });
});

const file = (i: number): PayloadFile => served.files[i] as PayloadFile;
const request = (p: PayloadFile): FileRequest => ({ url: served.urlOf(p), size: p.size, checksums: { sha256: p.sha256 } });
const downloader = (options: Partial<ConstructorParameters<typeof Downloader>[0]> = {}): Downloader => {
  const d = new Downloader({ store, retry: oneAttempt, ...options });
  closing.push(d);
  return d;
};

describe('Downloader: a server that asks to wait (503 + Retry-After)', () => {
  it('with waitWhileBusy, waits each turn at least as long as asked, never fails for it, and stores the file', async () => {
    served.server.faults.set(file(0).urlPath, { status: 503, retryAfter: '1', times: 2 });
    const [outcome] = await downloader({ waitWhileBusy: true }).download([request(file(0))]);
    expect(outcome).toMatchObject({ ok: true, sha256: file(0).sha256 });
    const requests = served.requestsFor(file(0));
    expect(requests.map((r) => r.status)).toEqual([503, 503, 200]);
    const gaps = requests.slice(1).map((r, i) => r.at - requests[i]!.at);
    // Retry-After 1 s, spread over up to 2 s by the jitter.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1_000);
    for (const gap of gaps) expect(gap).toBeLessThan(2_500);
  });

  it('without it (the default), a 503 is a failure like any other: one attempt allowed, the file fails', async () => {
    served.server.faults.set(file(1).urlPath, { status: 503, retryAfter: '1', times: 2 });
    const [outcome] = await downloader().download([request(file(1))]);
    expect(outcome?.ok).toBe(false);
    const error = outcome && !outcome.ok ? outcome.error : undefined;
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).cause).toBeInstanceOf(HttpStatusError);
    expect((error as RetriesExhaustedError).cause).toMatchObject({ status: 503, retryAfterMs: 1_000 });
    expect(served.requestsFor(file(1))).toHaveLength(1);
  });

  it('clients turned away at the same moment come back spread out, not in step', async () => {
    const since = Date.now();
    const requestsFor = (f: PayloadFile) => served.requestsFor(f).filter((r) => r.at >= since);
    const clients = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => file(i));
    for (const f of clients) served.server.faults.set(f.urlPath, { status: 503, retryAfter: '1', times: 1 });
    const outcomes = await Promise.all(clients.map((f) => downloader({ waitWhileBusy: true }).download([request(f)])));
    expect(outcomes.flat().every((o) => o.ok)).toBe(true);
    const back = clients.map((f) => requestsFor(f)[1]!.at);
    for (const f of clients) expect(requestsFor(f)[1]!.at - requestsFor(f)[0]!.at).toBeGreaterThanOrEqual(1_000);
    // Uniform over a second: eight clients all within 50 ms of each other would be a chance of about 1 in 10^8.
    expect(Math.max(...back) - Math.min(...back)).toBeGreaterThan(50);
  });
});

describe('turnDelay and Retry-After', () => {
  it('waits what was asked plus up to as much again (at least 100 ms when asked 0)', () => {
    expect(turnDelay(1_000, () => 0)).toBe(2_000);
    expect(turnDelay(1_000, () => 0.999)).toBe(1_001);
    expect(turnDelay(0, () => 0)).toBe(200);
  });

  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3_000);
    expect(retryAfterMs('Tue, 01 Dec 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});
