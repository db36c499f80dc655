import { readFile } from 'node:fs/promises';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@bootsync/shared/logging';
import { registerWithRegion, type SyncResult } from '@bootsync/shared/rack-protocol';
import { DEFAULT_RELEASES } from '@bootsync/testkit/mirror';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { startSyncWorker } from '@bootsync/rack/daemon';
import { launchChromium, startPageWorld, type PageWorld } from './page-harness.js';

// Sixty racks registered through the registration API beside the world's real rack: 40 that never ran a sync
// (nothing published, so they hold all there is: synced), 12 whose sync never ends (syncing) and 8 that report
// holding an image the region does not offer (out of sync). The page shows counts and one page of them.
const pad = (n: number): string => String(n).padStart(2, '0');
const names = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${pad(i + 1)}`);
const PLAIN = names('plain', 40);
const STUCK = names('stuck', 12);
const STALE = names('stale', 8);
const PAGE_SIZE = 25;

const silent = createLogger('page-racks', { level: 'silent' });
const text = (page: Page, selector: string): Promise<string> => page.locator(selector).innerText();
async function rowNames(page: Page): Promise<string[]> {
  const names: string[] = [];
  for (const tr of await page.locator('#racks-table tbody tr').all()) names.push((await tr.getAttribute('data-name')) ?? '');
  return names;
}
const rowStatuses = (page: Page): Promise<string[]> => page.locator('#racks-table tbody tr td:nth-child(2)').allInnerTexts();

describe('the Images page with 61 rack controllers', { timeout: 90_000 }, () => {
  let world: PageWorld;
  let browser: Browser;
  let page: Page;
  let connection: Redis;
  const stopping = new AbortController();
  const workers: Worker[] = [];
  const pageProblems: string[] = [];
  /** Summary polls the page made so far. */
  let summaries = 0;

  beforeAll(async () => {
    world = await startPageWorld({ releases: DEFAULT_RELEASES.filter((r) => r.release === 'noble'), arches: ['amd64'], versions: ['20250718'], bootloaders: false });
    const secret = (await readFile(world.secretFile, 'utf8')).trim();
    connection = new Redis(testRedisUrl, { maxRetriesPerRequest: null });
    const register = (name: string) =>
      registerWithRegion({ regionUrl: world.regionUrl, name, secret, secretFile: world.secretFile, logger: silent, signal: stopping.signal });
    const runWorker = async (name: string, sync: () => Promise<SyncResult>): Promise<void> => {
      const registration = await register(name);
      workers.push(startSyncWorker({ rack: name, regionUrl: world.regionUrl, registration, connection, stopping: stopping.signal, sync, onFailure: () => undefined }));
    };
    const neverEnds = (): Promise<SyncResult> =>
      new Promise((_resolve, reject) => stopping.signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true }));
    const holdsWhatIsGone = async (): Promise<SyncResult> => ({
      snapshot: 'snapshot-1', changed: true, bytesFetched: 0, files: 1,
      images: [{ product: 'com.ubuntu.maas.stable:v3:boot:20.04:amd64:ga-20.04', version: '20200101' }],
    });
    await Promise.all(PLAIN.map((name) => register(name)));
    await Promise.all([...STUCK.map((name) => runWorker(name, neverEnds)), ...STALE.map((name) => runWorker(name, holdsWhatIsGone))]);

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageProblems.push(err.message));
    page.on('request', (request) => {
      if (request.url().endsWith('/rackcontrollers/?op=summary')) summaries += 1;
    });
  }, 60_000);

  afterAll(async () => {
    stopping.abort();
    await Promise.all(workers.map((w) => w.close()));
    connection?.disconnect();
    await browser?.close();
    await world?.close();
  }, 30_000);

  it('answers the counts and a filtered page through the API', async () => {
    await expect
      .poll(() => world.api('GET', 'rackcontrollers/?op=summary'), { timeout: 20_000 })
      .toEqual({ total: 61, connected: 61, image_sync_status: { synced: 41, syncing: 12, 'out-of-sync': 8, 'region-importing': 0, unknown: 0 } });
    const page2 = (await world.api('GET', 'rackcontrollers/', { image_sync_status: 'out-of-sync', offset: '2', limit: '3' })) as { hostname: string }[];
    expect(page2.map((r) => r.hostname)).toEqual(STALE.slice(2, 5));
    await expect(world.api('GET', 'rackcontrollers/', { image_sync_status: 'lost' })).rejects.toThrow(/HTTP 400.*image_sync_status/);
  });

  it('shows the count of each status on its filter, and the first page of racks', async () => {
    await page.goto(`${world.regionUrl}/MAAS/r/images`);
    await page.getByLabel('API key').fill(world.apiKey);
    await page.keyboard.press('Enter');
    const filters = page.getByRole('group', { name: 'Show rack controllers by image sync status' });
    await expect
      .poll(() => filters.getByRole('button').allInnerTexts())
      .toEqual(['All 61', 'Synced 41', 'Syncing 12', 'Out of sync 8', 'Waiting for the region to import 0', 'Unknown 0']);
    expect(await filters.getByRole('button', { name: 'All 61' }).getAttribute('aria-pressed')).toBe('true');
    expect(await text(page, '#racks-summary')).toBe('61 rack controllers.');
    expect(await rowNames(page)).toEqual(PLAIN.slice(0, PAGE_SIZE));
    expect(await text(page, '#racks-range')).toBe('1–25 of 61');
    expect(await page.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);
  });

  it('pages through all of them, 25 at a time', async () => {
    const all = [...PLAIN, 'rack-1', ...STALE, ...STUCK];
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => text(page, '#racks-range')).toBe('26–50 of 61');
    expect(await rowNames(page)).toEqual(all.slice(25, 50));
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => text(page, '#racks-range')).toBe('51–61 of 61');
    expect(await rowNames(page)).toEqual(all.slice(50));
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
  });

  it('filters to the racks out of sync, and leaves their rows alone while nothing changes', async () => {
    await page.getByRole('button', { name: 'Out of sync 8' }).click();
    await expect.poll(() => rowNames(page)).toEqual(STALE);
    expect(await rowStatuses(page)).toEqual(STALE.map(() => 'Out of sync'));
    expect(await page.getByRole('button', { name: 'Out of sync 8' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#racks-pager').isHidden()).toBe(true);

    // Two more polls of the counts, and of the page, with nothing changed: not a row rebuilt.
    // In the page (a script: this program is not typed against the DOM): count every change under the rows.
    await page.evaluate(`window.rackRowMutations = 0;
      new MutationObserver((records) => (window.rackRowMutations += records.length))
        .observe(document.querySelector('#racks-table tbody'), { childList: true, subtree: true, characterData: true });`);
    const seen = summaries;
    await expect.poll(() => summaries, { timeout: 10_000 }).toBeGreaterThanOrEqual(seen + 2);
    expect(await page.evaluate('window.rackRowMutations')).toBe(0);
  });

  it('filters to the racks syncing', async () => {
    await page.getByRole('button', { name: 'Syncing 12' }).click();
    await expect.poll(() => rowNames(page)).toEqual(STUCK);
    expect(await rowStatuses(page)).toEqual(STUCK.map(() => 'Syncing'));
    expect(pageProblems).toEqual([]);
  });
});
