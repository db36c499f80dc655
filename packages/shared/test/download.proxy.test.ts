import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Downloader, type FileRequest } from '@bootsync/shared/download';
import { ContentStore } from '@bootsync/shared/store';
import { servePayloads, startConnectProxy, type ConnectProxy, type PayloadFile, type ServedPayloads } from '@bootsync/testkit/http';

let served: ServedPayloads;
let proxy: ConnectProxy;

beforeAll(async () => {
  served = await servePayloads([80_000]);
  proxy = await startConnectProxy();
});
afterAll(async () => {
  await proxy.close();
  await served.close();
});

async function fetchThrough(options: { noProxy?: string }): Promise<boolean> {
  const store = new ContentStore({ root: await mkdtemp(path.join(served.dir, 'store-')) });
  const downloader = new Downloader({ store, proxy: proxy.url, ...options });
  const file = served.files[0] as PayloadFile;
  const request: FileRequest = { url: served.urlOf(file), size: file.size, checksums: { sha256: file.sha256 } };
  try {
    const [outcome] = await downloader.download([request]);
    return outcome?.ok === true && (await store.verify(file.sha256));
  } finally {
    await downloader.close();
    await rm(store.root, { recursive: true, force: true });
  }
}

describe('Downloader: proxy', () => {
  it('goes through the proxy for hosts not in no_proxy', async () => {
    const before = proxy.targets.length;
    expect(await fetchThrough({ noProxy: 'localhost,.example.com' })).toBe(true);
    expect(proxy.targets.slice(before)).toEqual([new URL(served.server.url).host]);
  });

  it('reaches hosts listed in no_proxy directly', async () => {
    const before = proxy.targets.length;
    expect(await fetchThrough({ noProxy: 'images.maas.io, 127.0.0.1' })).toBe(true);
    expect(proxy.targets.length).toBe(before);
  });
});
