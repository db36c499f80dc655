import { afterEach, describe, expect, it } from 'vitest';
import { createImportHarness, type ImportHarness } from './import-harness.js';

let h: ImportHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('an import with --max-document-size', () => {
  it('refuses a products document that grew past the limit, unread, and keeps the images it had', async () => {
    // The generated ubuntu products file is about 20 KiB; each new version adds about 8 KiB.
    h = await createImportHarness({ deps: { maxDocumentSize: 24 * 1024 } });
    expect(await h.importNow()).toMatchObject({ outcome: 'succeeded' });
    const before = (await h.repos.bootResources.list()).map((r) => `${r.name} ${r.architecture}`);
    const setsBefore = await h.repos.resourceSets.referencedSha256();
    await h.mirror.addVersion('20250801');
    h.takeRequests();

    const finished = await h.importNow();

    expect(finished).toMatchObject({ outcome: 'failed', changed: false });
    const products = `${h.server.url}/streams/v1/${h.mirror.contentIds.ubuntu}.sjson`;
    const [run] = await h.service.lastRuns(1);
    expect(run?.errors).toEqual([
      expect.objectContaining({ item: h.source.url, code: 'SS_ERR_TOO_LARGE', message: expect.stringContaining(`${products}: document is `) }),
    ]);
    expect(run?.errors[0]?.message).toContain('over the limit of 24576 bytes (--max-document-size)');
    expect((await h.repos.bootResources.list()).map((r) => `${r.name} ${r.architecture}`)).toEqual(before);
    expect(await h.repos.resourceSets.referencedSha256()).toEqual(setsBefore);
    // Nothing of the new version was fetched: the refused document named no file.
    expect(h.takeRequests().filter((p) => !p.startsWith('/streams/'))).toEqual([]);
  });
});
