import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Downloader, type FileRequest } from '@bootsync/shared/download';
import { ContentStore } from '@bootsync/shared/store';
import { servePayloads, type PayloadFile, type ServedPayloads } from '@bootsync/testkit/http';

/** A real forwarding proxy (CONNECT tunnels, as undici's ProxyAgent uses) that counts what it carried. */
interface CountingProxy {
  readonly url: string;
  readonly tunnels: string[];
  close(): Promise<void>;
}

async function startCountingProxy(): Promise<CountingProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy()).on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let served: ServedPayloads;
let proxy: CountingProxy;

beforeAll(async () => {
  served = await servePayloads([80_000]);
  proxy = await startCountingProxy();
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
    const before = proxy.tunnels.length;
    expect(await fetchThrough({ noProxy: 'localhost,.example.com' })).toBe(true);
    expect(proxy.tunnels.slice(before)).toEqual([new URL(served.server.url).host]);
  });

  it('reaches hosts listed in no_proxy directly', async () => {
    const before = proxy.tunnels.length;
    expect(await fetchThrough({ noProxy: 'images.maas.io, 127.0.0.1' })).toBe(true);
    expect(proxy.tunnels.length).toBe(before);
  });
});
