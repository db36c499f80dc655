import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, STREAM_INDEX_PATH, STREAM_PATH } from '@bootsync/shared/rack-protocol';
import { startRegion, type RegionUnderTest } from './rack-harness.js';

// The region stream racks read is built once for all their requests (racks/stream-cache.ts); a change the racks
// are then told of is served to them at once.
let region: RegionUnderTest;
let token: string;

beforeAll(async () => {
  // A max age far longer than the test: whatever it sees anew, an invalidation made it so.
  region = await startRegion({ intervalMs: 60_000, streamMaxAgeMs: 600_000 });
  await region.publishNoble('20250101', { 'boot-kernel': Buffer.from('kernel 20250101') });
  ({ token } = await region.racks.register('rack-cache'));
}, 30_000);
afterAll(async () => {
  await region?.close();
});

const indexEtag = async (): Promise<string> => {
  const answer = await request(`${region.url}${STREAM_PATH}${STREAM_INDEX_PATH}`, { headers: { authorization: bearer(token) } });
  await answer.body.dump();
  expect(answer.statusCode).toBe(200);
  return String(answer.headers.etag);
};

describe('the region stream served to racks', () => {
  it('is built once for their requests, and anew as soon as an import that changed something tells them, or a sync is asked for', async () => {
    const first = await indexEtag();
    await region.publishNoble('20250201', { 'boot-kernel': Buffer.from('kernel 20250201') });
    expect(await indexEtag()).toBe(first);
    await region.racks.onImportFinished({ changed: false });
    expect(await indexEtag()).toBe(first);
    await region.racks.onImportFinished({ changed: true });
    const second = await indexEtag();
    expect(second).not.toBe(first);
    expect(second).toBe((await region.racks.stream()).documents.get(STREAM_INDEX_PATH)!.etag);

    await region.publishNoble('20250301', { 'boot-kernel': Buffer.from('kernel 20250301') });
    await region.racks.importBootImages('rack-cache');
    expect(await indexEtag()).not.toBe(second);
  });
});
