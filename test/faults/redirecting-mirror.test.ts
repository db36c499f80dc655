import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { createImportHarness, type ImportHarness } from '@bootsync/region/testing';
import { completeSets, nobleOnly } from './region-state.js';
import { report } from './report.js';

const SPEC = nobleOnly({ squashfs: 1024 * 1024, 'boot-kernel': 256 * 1024, 'boot-initrd': 384 * 1024 });

let h: ImportHarness | undefined;
let front: MisbehavingServer | undefined;
let empty: string | undefined;
afterEach(async () => {
  await front?.close();
  await h?.close();
  if (empty) await rm(empty, { recursive: true, force: true });
  front = undefined;
  h = undefined;
});

describe('a mirror behind redirects', () => {
  it('is imported through a redirect to another host for every file; a loop on one file fails only its sets, with DOWNLOAD_ERR_REDIRECT naming the chain', async () => {
    h = await createImportHarness({ spec: SPEC });
    // The operator's URL (127.0.0.1, port A) answers every path with a redirect to the mirror at localhost:B, as a
    // CDN front or an http → https move does.
    empty = await mkdtemp(join(tmpdir(), 'bootsync-front-'));
    front = await startMisbehavingServer({ root: empty });
    const mirrorUrl = h.server.url.replace('127.0.0.1', 'localhost');
    front.faults.set('*', { redirectTo: (path) => `${mirrorUrl}${path}`, status: 301 });
    await h.repos.bootSources.update(h.source.id, { url: `${front.url}/` });

    const first = await h.importNow();
    expect(first.outcome).toBe('succeeded');
    expect(await completeSets(h)).toEqual(['amd64/ga-24.04 20250718', 'amd64/hwe-24.04 20250718']);
    const redirected = front.requests.length;

    // A new version whose squashfs loops between two URLs of the front.
    await h.mirror.addVersion('20250801');
    const squashfs = h.mirror.items.find((i) => i.ref.version === '20250801' && i.ftype === 'squashfs');
    const path = `/${squashfs?.path}`;
    front.faults.set(path, { redirectTo: `${path}.moved` });
    front.faults.set(`${path}.moved`, { redirectTo: path });
    const second = await h.importNow();

    expect(second.outcome).toBe('failed');
    const [run] = await h.service.lastRuns(1);
    const loop = `${front.url}${path} -> ${front.url}${path}.moved -> ${front.url}${path}`;
    expect(run?.errors).toEqual([expect.objectContaining({ code: 'DOWNLOAD_ERR_REDIRECT', message: expect.stringContaining(loop) })]);
    expect(await completeSets(h)).toEqual(['amd64/ga-24.04 20250718', 'amd64/hwe-24.04 20250718']);
    report('redirecting mirror', {
      hops: 1,
      redirectsFollowed: redirected,
      firstImport: first.outcome,
      loopError: run?.errors[0]?.code,
      loopRequests: front.requests.filter((r) => r.path === path || r.path === `${path}.moved`).length,
      setsKept: (await completeSets(h)).length,
    });
  });
});
