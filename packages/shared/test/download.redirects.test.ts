import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Downloader, RedirectError, type FileOutcome, type FileRequest } from '@bootsync/shared/download';
import { readLocation } from '@bootsync/shared/source';
import { ContentStore } from '@bootsync/shared/store';
import { servePayloads, startMisbehavingServer, type MisbehavingServer, type PayloadFile, type ServedPayloads } from '@bootsync/testkit/http';

// The mirror (B) is another host than the one the operator configured (A): 127.0.0.1 redirects to localhost.
let a: MisbehavingServer;
let b: ServedPayloads;
let bUrl: string;
let file: PayloadFile;
let store: ContentStore | undefined;
let downloader: Downloader | undefined;

beforeAll(async () => {
  b = await servePayloads([300_000]);
  file = b.files[0] as PayloadFile;
  bUrl = b.server.url.replace('127.0.0.1', 'localhost');
  await writeFile(path.join(b.dir, 'index.json'), '{"format": "index:1.0"}');
  a = await startMisbehavingServer({ root: b.dir });
});
afterAll(async () => {
  await a.close();
  await b.close();
});
afterEach(async () => {
  a.faults.clear();
  await downloader?.close();
  if (store) await rm(store.root, { recursive: true, force: true });
  downloader = undefined;
  store = undefined;
});

async function download(url: string, headers: Record<string, string> = {}): Promise<FileOutcome & { store: ContentStore }> {
  const fresh = new ContentStore({ root: await mkdtemp(path.join(b.dir, 'store-')) });
  const d = new Downloader({ store: fresh, headers, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 10 } });
  store = fresh;
  downloader = d;
  const request: FileRequest = { url, size: file.size, checksums: { sha256: file.sha256 } };
  const [outcome] = await d.download([request]);
  return { ...(outcome as FileOutcome), store: fresh };
}

/** Redirects /hop1 → /hop2 → … → /hop<n> on A, then to the file on B. */
function chainOf(n: number): string {
  for (let i = 1; i < n; i++) a.faults.set(`/hop${i}`, { redirectTo: `/hop${i + 1}`, status: i % 2 ? 301 : 307 });
  a.faults.set(`/hop${n}`, { redirectTo: `${bUrl}${file.urlPath}`, status: 302 });
  return `${a.url}/hop1`;
}

describe('redirects: followed as curl -L does', () => {
  it('follows relative and cross-host redirects to the file, and sends credentials only to the host they were for', async () => {
    const outcome = await download(chainOf(2), { authorization: 'Bearer region-secret' });
    expect(outcome).toMatchObject({ ok: true, sha256: file.sha256 });
    expect((await readFile(outcome.store.pathOf(file.sha256))).equals(file.bytes)).toBe(true);
    expect(a.requests.filter((r) => r.path.startsWith('/hop')).map((r) => r.headers.authorization)).toEqual(['Bearer region-secret', 'Bearer region-secret']);
    const atB = b.requestsFor(file).at(-1);
    expect(atB?.headers.authorization).toBeUndefined();
  });

  it('follows 5 hops, and refuses a 6th with DOWNLOAD_ERR_REDIRECT naming every URL, without retrying', async () => {
    expect(await download(chainOf(5))).toMatchObject({ ok: true });
    const seen = a.requests.length;
    const outcome = await download(chainOf(6));
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: Error }).error;
    expect(error).toBeInstanceOf(RedirectError);
    expect(error).toMatchObject({ code: 'DOWNLOAD_ERR_REDIRECT', reason: 'more than 5 redirects' });
    for (let i = 1; i <= 6; i++) expect(error.message).toContain(`${a.url}/hop${i}`);
    expect(a.requests.length - seen).toBe(6);
  });

  it('refuses a loop, naming the chain', async () => {
    a.faults.set('/x', { redirectTo: '/y' });
    a.faults.set('/y', { redirectTo: `${a.url}/x` });
    const outcome = await download(`${a.url}/x`);
    const error = (outcome as { error: Error }).error;
    expect(error).toMatchObject({ code: 'DOWNLOAD_ERR_REDIRECT', reason: 'redirect loop' });
    expect(error.message).toContain(`${a.url}/x -> ${a.url}/y -> ${a.url}/x`);
  });

  it('refuses a redirect to file://, reading nothing from the local disk', async () => {
    a.faults.set('/secret', { redirectTo: `file://${file.file}` });
    const outcome = await download(`${a.url}/secret`);
    const error = (outcome as { error: Error }).error;
    expect(error).toMatchObject({ code: 'DOWNLOAD_ERR_REDIRECT', reason: 'file is not http(s)' });
    expect(error.message).toContain(`file://${file.file}`);
    expect(await outcome.store.has(file.sha256)).toBe(false);
  });

  it('applies the same rules to mirror documents: followed across hosts, a loop or file:// refused', async () => {
    a.faults.set('/streams/v1/index.json', { redirectTo: `${bUrl}/index.json`, status: 301 });
    expect((await readLocation(`${a.url}/streams/v1/index.json`)).toString()).toBe('{"format": "index:1.0"}');
    a.faults.set('/loop.json', { redirectTo: '/loop.json' });
    await expect(readLocation(`${a.url}/loop.json`)).rejects.toMatchObject({ code: 'DOWNLOAD_ERR_REDIRECT', reason: 'redirect loop' });
    a.faults.set('/local.json', { redirectTo: 'file:///etc/hostname' });
    await expect(readLocation(`${a.url}/local.json`)).rejects.toThrow(/file is not http\(s\).*file:\/\/\/etc\/hostname/);
  });
});
