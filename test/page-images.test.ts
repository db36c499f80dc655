import { createHash } from 'node:crypto';
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RELEASES, generateTestKey } from '@bootsync/testkit/mirror';
import { armoredKeyring, launchChromium, repoRoot, rightEdges, startPageWorld, type PageWorld } from './page-harness.js';

// One story, in order, as an operator lives it: each step starts from where the previous one left the region.

interface Row {
  readonly name: string;
  readonly arch: string;
  readonly cells: string[];
}

async function imageRows(page: Page): Promise<Row[]> {
  const rows: Row[] = [];
  for (const tr of await page.locator('#images-table tbody tr').all()) {
    rows.push({
      name: (await tr.getAttribute('data-name')) ?? '',
      arch: (await tr.getAttribute('data-arch')) ?? '',
      cells: await tr.locator('td').allInnerTexts(),
    });
  }
  return rows;
}

const STATUS = 3;
const CUSTOM_STATUS = 4;

/** The Custom images section as a user reads it: each row's cells, the delete button's text included. */
async function customRows(page: Page): Promise<string[]> {
  return (await page.locator('#custom-table tbody tr').allInnerTexts()).map((t) => t.split('\t').map((c) => c.trim()).join(' | '));
}

/** Bytes of a test image: different for each `seed`, so each is its own blob. */
function imageBytes(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4096) bytes.writeUInt32LE((i * 31 + seed) >>> 0, i);
  return bytes;
}
const text = (page: Page, selector: string): Promise<string> => page.locator(selector).innerText();

interface ApiResource {
  readonly id: number;
  readonly name: string;
  readonly architecture: string;
  readonly status: string;
  readonly size: number | null;
}

// Imports and rack syncs share two cores with the rest of the suite: give each step room beyond its own waits.
describe('the Images page, in Chromium, against a real region, Redis, SQLite, a signed mirror and a rack', { timeout: 60_000 }, () => {
  let world: PageWorld;
  let browser: Browser;
  let page: Page;
  /** Uncaught errors and policy refusals in the page: a page that works for a user has none. */
  const pageProblems: string[] = [];
  const resources = async (): Promise<ApiResource[]> => (await world.api('GET', 'boot-resources/')) as ApiResource[];
  const uploaded = async (): Promise<ApiResource[]> => (await world.api('GET', 'boot-resources/', { type: 'uploaded' })) as ApiResource[];
  /** Every URL the admin's page asked for since `watchRequests()`: the poll's reads show here. */
  const requested: string[] = [];
  const watchRequests = (): void => {
    requested.length = 0;
  };
  const listPolls = (): number => requested.filter((u) => new URL(u).pathname === '/MAAS/api/2.0/boot-resources/' && new URL(u).search === '').length;

  beforeAll(async () => {
    world = await startPageWorld({
      releases: DEFAULT_RELEASES,
      arches: ['amd64', 'arm64'],
      versions: ['20250718'],
      bootloaders: false,
      // Big enough that a throttled file keeps an import running while the page stops it.
      sizes: { squashfs: 1_500_000 },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // A missing element fails the step in seconds, not after the test's whole budget.
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageProblems.push(err.message));
    page.on('request', (request) => requested.push(request.url()));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Uncaught/.test(msg.text())) pageProblems.push(msg.text());
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  }, 30_000);

  it('asks for an API key, refuses a wrong one, and shows the saved source it cannot reach', async () => {
    await page.goto(`${world.regionUrl}/MAAS/r/images`);
    await page.getByLabel('API key').fill('aaaa:bbbb:cccc');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => text(page, '#login-error')).toBe('The region rejected this API key.');

    await page.getByLabel('API key').fill(world.apiKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Images', level: 1 }).waitFor();
    await expect.poll(() => text(page, '#source-status'), { timeout: 10_000 }).toMatch(
      new RegExp(`^Could not connect: Failed to read boot source ${world.unreachableUrl.replace(/\/$/, '')}.*`),
    );
    expect(await page.getByRole('radio', { name: 'Custom' }).isChecked()).toBe(true);
    expect(await page.getByLabel('URL', { exact: true }).inputValue()).toBe(world.unreachableUrl.replace(/\/$/, ''));
    expect(await page.locator('#selection-form').isHidden()).toBe(true);
    // Hourly sync is off in this region, and the page says so.
    expect(await page.getByRole('switch', { name: 'Sync images hourly' }).isChecked()).toBe(false);
  });

  it('shows a keyring that did not sign the mirror as an error, and offers nothing from it', async () => {
    const stranger = await generateTestKey('someone else');
    await page.getByLabel('URL', { exact: true }).fill(`${world.upstream.url}/`);
    await page.getByRole('button', { name: 'Show advanced options' }).click();
    await page.getByLabel('Keyring data').fill(stranger.publicKey.armor());
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => text(page, '#source-status'), { timeout: 10_000 }).toMatch(/^Could not connect: Failed to read boot source http:\/\/127\.0\.0\.1:\d+\/?: .*(key|signature)/i);
    expect(await page.locator('#selection-form').isHidden()).toBe(true);
  });

  it('connects the signed mirror, shows what it offers with the current selection checked', async () => {
    await page.getByLabel('Keyring data').fill(await armoredKeyring(world.mirror));
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => text(page, '#source-status'), { timeout: 10_000 }).toMatch(/^Connected to http:\/\/127\.0\.0\.1:\d+\/?: \d+ images offered\.$/);
    // The region's default selection (noble, amd64) is what is checked.
    expect(await page.getByRole('checkbox', { name: '24.04 LTS (Noble Numbat)' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: '22.04 LTS (Jammy Jellyfish)' }).isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: 'amd64', exact: true }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'arm64', exact: true }).isChecked()).toBe(false);
    const others = await page.locator('#other-images label').allInnerTexts();
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((o) => /centos/i.test(o))).toBe(true);
    // Every control has a label a screen reader reads.
    const unlabelled = await page.evaluate<string[]>(`[...document.querySelectorAll('input, textarea')].filter((e) => e.labels.length === 0).map((e) => e.id)`);
    expect(unlabelled).toEqual([]);
  });

  it('saves a selection: the source and selections change through the API and the images reach Synced live', async () => {
    await page.getByRole('checkbox', { name: '22.04 LTS (Jammy Jellyfish)' }).check();
    await page.getByRole('button', { name: 'Save selection' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => text(page, '#save-status'), { timeout: 10_000 }).toBe('Selection saved; import started.');

    const sources = (await world.api('GET', 'boot-sources/')) as { id: number; url: string; keyring_data: string }[];
    expect(sources).toHaveLength(1);
    expect(sources[0]!.url).toBe(world.upstream.url);
    expect(Buffer.from(sources[0]!.keyring_data, 'base64').toString().trim()).toBe((await armoredKeyring(world.mirror)).trim());
    const selections = (await world.api('GET', `boot-sources/${sources[0]!.id}/selections/`)) as { release: string; arches: string[] }[];
    expect(selections.map((s) => [s.release, s.arches]).sort()).toEqual([['jammy', ['amd64']], ['noble', ['amd64']]]);

    await expect
      .poll(async () => {
        const all = await resources();
        return all.length > 0 && all.every((r) => r.status === 'Synced') ? [...new Set(all.map((r) => r.name))].sort() : [];
      }, { timeout: 30_000, interval: 100 })
      .toEqual(['ubuntu/jammy', 'ubuntu/noble']);
    // The page follows the API without a reload: once a list it polls (every second) answers every image Synced,
    // it shows them so. Counted in the page's own polls, not in wall-clock time a loaded machine may not give it.
    await page.waitForResponse(async (response) => {
      const url = new URL(response.url());
      if (url.pathname !== '/MAAS/api/2.0/boot-resources/' || url.search !== '') return false;
      const list = (await response.json().catch(() => [])) as ApiResource[];
      return list.length > 0 && list.every((r) => r.status === 'Synced');
    });
    await expect
      .poll(async () => {
        const statuses = (await imageRows(page)).map((r) => r.cells[STATUS]);
        return statuses.length >= 2 && statuses.every((st) => st === 'Synced');
      }, { timeout: 10_000, interval: 100 })
      .toBe(true);
    const rows = await imageRows(page);
    expect(rows.map((r) => r.name).sort()).toEqual((await resources()).map((r) => r.name).sort());
    for (const row of rows) {
      expect(row.arch).toMatch(/^amd64\//);
      expect(row.cells[2]).toMatch(/^\d+(\.\d)? (KB|MB)$/);
      expect(row.cells[4]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    }
    expect(await text(page, '#import-summary')).toMatch(/^Last import succeeded, \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\.$/);
    expect(await text(page, '#import-error')).toBe('');
  });

  it('lists the rack controller, which syncs the new images', async () => {
    const rackRow = page.locator(`#racks-table tbody tr[data-name="${world.rackName}"]`);
    await expect.poll(async () => ((await rackRow.count()) ? rackRow.innerText() : ''), { timeout: 30_000 }).toMatch(
      new RegExp(`^${world.rackName}\\s+Synced\\s+\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC$`),
    );
  });

  it('lists custom images in their own section with size and the API\'s status, from the list it polls anyway', async () => {
    expect(await page.locator('#no-custom-images').isVisible()).toBe(true);
    // One uploaded through the bootsync CLI (the maas CLI's path: size and sha256 first, then 4 MiB chunks).
    const appliance = join(world.dir, 'appliance.raw');
    await writeFile(appliance, imageBytes(5_300_000, 1));
    const run = await world.bootsync('admin', 'boot-resources', 'create', 'name=custom/appliance', 'title=Appliance', 'architecture=amd64/generic', 'filetype=ddraw', `content@=${appliance}`);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    // One whose upload is half done: the page shows its progress as the API words it.
    const desktop = imageBytes(2_000_000, 2);
    const created = (await world.api('POST', 'boot-resources/', {
      name: 'custom/desktop', title: 'Desktop', architecture: 'amd64/generic', filetype: 'ddxz',
      sha256: createHash('sha256').update(desktop).digest('hex'), size: String(desktop.length),
    })) as { sets: Record<string, { files: Record<string, { upload_uri: string }> }> };
    const uploadUri = Object.values(Object.values(created.sets)[0]!.files)[0]!.upload_uri;
    await world.putChunk(uploadUri, desktop.subarray(0, 1_000_000));

    const expected = async (): Promise<string[]> =>
      (await uploaded()).map((r) => `${r.name} | ${r.name === 'custom/appliance' ? 'Appliance' : 'Desktop'} | ${r.architecture} | ${(r.size! / 1e6).toFixed(1)} MB | ${r.status} | Delete`);
    await expect.poll(async () => [(await customRows(page)).join('\n'), (await expected()).join('\n')], { timeout: 20_000, interval: 200 }).toEqual([
      'custom/appliance | Appliance | amd64/generic | 5.3 MB | Synced | Delete\ncustom/desktop | Desktop | amd64/generic | 2.0 MB | Downloading 50% | Delete',
      'custom/appliance | Appliance | amd64/generic | 5.3 MB | Synced | Delete\ncustom/desktop | Desktop | amd64/generic | 2.0 MB | Downloading 50% | Delete',
    ]);
    expect(await page.locator('#no-custom-images').isVisible()).toBe(false);
    // The images table keeps to the synced images.
    expect((await imageRows(page)).every((r) => r.name.startsWith('ubuntu/'))).toBe(true);

    // Three polls of the list, and not one read of an image of its own.
    watchRequests();
    await expect.poll(listPolls, { timeout: 10_000, interval: 100 }).toBeGreaterThanOrEqual(3);
    expect(requested.filter((u) => /\/boot-resources\/\d+\//.test(u))).toEqual([]);

    // The rest of the upload: the page follows the API to Synced, without a reload.
    await world.putChunk(uploadUri, desktop.subarray(1_000_000));
    await expect
      .poll(async () => (await customRows(page)).map((r) => r.split(' | ')[CUSTOM_STATUS]), { timeout: 20_000, interval: 200 })
      .toEqual(['Synced', 'Synced']);
    expect((await uploaded()).map((r) => r.status)).toEqual(['Synced', 'Synced']);
  });

  it('fits 1280x800 and a 420 px window without sideways scrolling (screenshots for the README)', async () => {
    const shots = process.env.BOOTSYNC_PAGE_SCREENSHOTS;
    await page.getByRole('button', { name: 'Hide advanced options' }).click();
    for (const width of [1280, 420]) {
      await page.setViewportSize({ width, height: 800 });
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow, `page wider than a ${width} px window`).toBeLessThanOrEqual(0);
      // What a user needs stays in view: the save button and every image's status.
      const save = await page.getByRole('button', { name: 'Save selection' }).boundingBox();
      expect(save!.x + save!.width).toBeLessThanOrEqual(width);
      const statuses = await rightEdges(page, `#images-table tbody td:nth-child(${STATUS + 1})`);
      expect(statuses.length).toBeGreaterThanOrEqual(2);
      for (const cell of statuses) {
        expect(cell.right, `status cell outside a ${width} px window`).toBeLessThanOrEqual(width);
        expect(cell.text).toBe('Synced');
      }
      const custom = await rightEdges(page, `#custom-table tbody td:nth-child(${CUSTOM_STATUS + 1}), #custom-table tbody button`);
      expect(custom.length).toBeGreaterThanOrEqual(4);
      for (const element of custom) {
        expect(element.right, `custom image status or delete button outside a ${width} px window`).toBeLessThanOrEqual(width);
      }
      const file = join(world.dir, `images-page-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      expect((await stat(file)).size).toBeGreaterThan(10_000);
      if (shots) {
        await mkdir(resolve(repoRoot, shots), { recursive: true });
        await copyFile(file, resolve(repoRoot, shots, `images-page${width === 1280 ? '' : `-${width}`}.png`));
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('shows a running import downloading, and "Stop import" stops it', async () => {
    const slow = world.mirror.items.find((i) => i.ftype === 'squashfs' && i.path.includes('noble') && i.path.includes('arm64'));
    expect(slow).toBeDefined();
    world.upstream.faults.set(`/${slow!.path}`, { bytesPerSecond: 100_000 });
    await page.getByRole('checkbox', { name: 'arm64', exact: true }).check();
    await page.getByRole('button', { name: 'Save selection' }).click();
    await expect
      .poll(async () => (await imageRows(page)).find((r) => r.name === 'ubuntu/noble' && r.arch.startsWith('arm64/'))?.cells[STATUS], { timeout: 15_000, interval: 100 })
      .toMatch(/^Downloading \d+%$/);
    const stop = page.getByRole('button', { name: 'Stop import' });
    expect(await stop.isVisible()).toBe(true);
    await stop.click();
    await stop.waitFor({ state: 'hidden', timeout: 5_000 });
    const status = (await world.api('GET', 'boot-resources/?op=import_status')) as { importing: boolean; runs: { outcome: string }[] };
    expect(status.importing).toBe(false);
    expect(status.runs[0]!.outcome).toBe('stopped');
    await expect.poll(() => text(page, '#import-summary')).toMatch(/^Last import stopped/);
    world.upstream.faults.clear();
  });

  it('toggles hourly sync with the keyboard, and the region config follows', async () => {
    const toggle = page.getByRole('switch', { name: 'Sync images hourly' });
    await toggle.focus();
    await page.keyboard.press('Space');
    await expect.poll(() => world.api('GET', 'maas/?op=get_config', { name: 'boot_images_auto_import' })).toBe(true);
    await page.keyboard.press('Space');
    await expect.poll(() => world.api('GET', 'maas/?op=get_config', { name: 'boot_images_auto_import' })).toBe(false);
    expect(await toggle.isChecked()).toBe(false);
  });

  it('unselecting images and saving removes them from the region and from the table', async () => {
    await page.getByRole('checkbox', { name: '22.04 LTS (Jammy Jellyfish)' }).uncheck();
    await page.getByRole('checkbox', { name: 'arm64', exact: true }).uncheck();
    await page.getByRole('button', { name: 'Save selection' }).click();
    await expect
      .poll(async () => (await imageRows(page)).map((r) => `${r.name} ${r.arch.split('/')[0]} ${r.cells[STATUS]}`), { timeout: 30_000, interval: 200 })
      .toEqual(expect.arrayContaining(['ubuntu/noble amd64 Synced']));
    await expect.poll(async () => (await imageRows(page)).every((r) => r.name === 'ubuntu/noble' && r.arch.startsWith('amd64/')), { timeout: 30_000 }).toBe(true);
    const left = (await world.api('GET', 'boot-resources/', { type: 'synced' })) as ApiResource[];
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((r) => r.name === 'ubuntu/noble' && r.architecture.startsWith('amd64/'))).toBe(true);
    // The import's clean-up never takes custom images: both are still listed, here and on the page.
    expect((await uploaded()).map((r) => r.name)).toEqual(['custom/appliance', 'custom/desktop']);
    expect(await page.locator('#custom-table tbody tr').count()).toBe(2);
  });

  it('shows the last import error when the mirror\'s signature no longer verifies, keeping the images', async () => {
    await world.mirror.tamperSignedContent();
    await page.getByRole('button', { name: 'Save selection' }).click();
    await expect.poll(() => text(page, '#import-error'), { timeout: 30_000 }).toMatch(/^Last import: .*signature/i);
    expect((await imageRows(page)).map((r) => r.cells[STATUS])).toEqual(expect.arrayContaining(['Synced']));
  });

  it("shows a user who is not an admin the images with read-only controls, and the region refuses that user's writes", async () => {
    const viewerKey = await world.userKey('viewer');
    const viewer = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    viewer.setDefaultTimeout(10_000);
    viewer.on('pageerror', (err) => pageProblems.push(err.message));
    try {
      await viewer.goto(`${world.regionUrl}/MAAS/r/images`);
      await viewer.getByLabel('API key').fill(viewerKey);
      await viewer.keyboard.press('Enter');
      await expect.poll(() => text(viewer, '#read-only')).toMatch(/^Logged in as viewer, who can read but not change images.*Selected: ubuntu\/noble \(amd64\)/);
      expect(await viewer.locator('#auto-import').isDisabled()).toBe(true);
      expect(await viewer.locator('#connect').isDisabled()).toBe(true);
      expect(await viewer.locator('#source-url').isDisabled()).toBe(true);
      expect(await viewer.locator('#stop-import').isDisabled()).toBe(true);
      expect(await viewer.locator('#selection-form').isHidden()).toBe(true);
      // The images are there to read, and nothing the page did was refused.
      await expect.poll(async () => (await imageRows(viewer)).length).toBeGreaterThan(0);
      // Custom images too, read-only: no delete button, no actions column.
      await expect.poll(() => customRows(viewer)).toEqual([
        'custom/appliance | Appliance | amd64/generic | 5.3 MB | Synced',
        'custom/desktop | Desktop | amd64/generic | 2.0 MB | Synced',
      ]);
      expect(await viewer.locator('#custom-images button').count()).toBe(0);
      expect(await viewer.locator('#custom-actions').isHidden()).toBe(true);
      expect(await text(viewer, '#source-status')).toBe('');
      expect(await text(viewer, '#config-error')).toBe('');
      const refused = await viewer.evaluate(async (key) => {
        const [consumer, token, secret] = key.split(':');
        const auth = `OAuth oauth_version="1.0", oauth_signature_method="PLAINTEXT", oauth_consumer_key="${consumer}", oauth_token="${token}", oauth_signature="&${secret}"`;
        const res = await fetch('/MAAS/api/2.0/boot-resources/?op=import', { method: 'POST', headers: { authorization: auth } });
        return [res.status, await res.text()];
      }, viewerKey);
      expect(refused).toEqual([403, 'This method is reserved for admin users.']);
    } finally {
      await viewer.close();
    }
  });

  it('deletes a custom image after a confirmation step, with the keyboard, and the API no longer has it', async () => {
    const focused = (): Promise<string> => page.evaluate<string>("document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? ''");
    const names = async (): Promise<string[]> => (await uploaded()).map((r) => r.name);
    const question = page.getByRole('group', { name: 'Are you sure you want to delete custom/desktop amd64/generic? The region and its rack controllers stop serving it.' });
    await page.getByRole('button', { name: 'Delete custom/desktop amd64/generic' }).focus();
    await page.keyboard.press('Enter');
    await question.waitFor();
    expect(await focused()).toBe('Cancel');
    // Escape cancels: nothing deleted, the focus back on the image's Delete button.
    await page.keyboard.press('Escape');
    await question.waitFor({ state: 'detached' });
    expect(await focused()).toBe('Delete custom/desktop amd64/generic');
    expect(await names()).toEqual(['custom/appliance', 'custom/desktop']);

    // The once-a-second poll leaves an open confirmation and the focus where they are.
    await page.keyboard.press('Enter');
    await question.waitFor();
    watchRequests();
    await expect.poll(listPolls, { timeout: 10_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    expect(await focused()).toBe('Cancel');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Delete image');
    await page.keyboard.press('Enter');
    await expect.poll(() => text(page, '#custom-status')).toBe('Deleted custom/desktop amd64/generic.');
    expect(await names()).toEqual(['custom/appliance']);
    expect(await customRows(page)).toEqual(['custom/appliance | Appliance | amd64/generic | 5.3 MB | Synced | Delete']);
    expect(await focused()).toBe('Custom images');
    // Later polls do not bring it back.
    watchRequests();
    await expect.poll(listPolls, { timeout: 10_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    expect(await customRows(page)).toEqual(['custom/appliance | Appliance | amd64/generic | 5.3 MB | Synced | Delete']);

    // With the mouse, the last one: the section says there are none.
    await page.getByRole('button', { name: 'Delete custom/appliance amd64/generic' }).click();
    await page.getByRole('button', { name: 'Delete image' }).click();
    await expect.poll(() => page.locator('#no-custom-images').isVisible()).toBe(true);
    expect(await names()).toEqual([]);
    expect(await customRows(page)).toEqual([]);
  });

  it('logs out: back to the login form, and the key is gone from the tab', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.locator('#app').isHidden()).toBe(true);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('bootsync.apiKey')")).toBeNull();
    expect(pageProblems).toEqual([]);
  });
});
