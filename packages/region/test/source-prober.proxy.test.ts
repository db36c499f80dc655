import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConnectProxy, startMisbehavingServer, type ConnectProxy, type MisbehavingServer } from '@bootsync/testkit/http';
import { createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import type { RegionConfig } from '@bootsync/region/db';
import { createSourceProber } from '../src/source-prober.js';
import { tempDir } from './daemon-harness.js';
import { useTempRegionDb } from './db-harness.js';

describe('source prober', () => {
  const db = useTempRegionDb();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let mirror: GeneratedMirror;
  let upstream: MisbehavingServer;
  let proxy: ConnectProxy;

  beforeAll(async () => {
    dir = await tempDir('prober');
    mirror = await createSignedMirror(join(dir.path, 'upstream'), { bootloaders: false, centos: false, versions: ['20250718'] });
    upstream = await startMisbehavingServer({ root: mirror.root });
    proxy = await startConnectProxy();
  });
  afterAll(async () => {
    await upstream.close();
    await proxy.close();
    await dir.remove();
  });

  it.each<{ name: string; config: Partial<RegionConfig>; viaProxy: boolean }>([
    { name: 'direct without a proxy', config: {}, viaProxy: false },
    { name: 'through http_proxy when enabled', config: { enable_http_proxy: true }, viaProxy: true },
    { name: 'direct when the proxy is disabled', config: { enable_http_proxy: false }, viaProxy: false },
    { name: 'direct for source hosts with boot_images_no_proxy', config: { enable_http_proxy: true, boot_images_no_proxy: true }, viaProxy: false },
  ])('reads and verifies the source $name', async ({ config, viaProxy }) => {
    const repo = db().config;
    if (Object.keys(config).length > 0) await repo.set('http_proxy', proxy.url);
    for (const [key, value] of Object.entries(config)) await repo.set(key as 'enable_http_proxy', value as boolean);
    proxy.targets.length = 0;
    const items = await createSourceProber(repo).probe(
      { url: `${upstream.url}/`, keyringFilename: mirror.keyring.binary, skipKeyringVerification: false },
      new AbortController().signal,
    );
    expect(items.length).toBe(mirror.items.length);
    expect(proxy.targets.length > 0).toBe(viaProxy);
    if (viaProxy) expect(new Set(proxy.targets)).toEqual(new Set([new URL(upstream.url).host]));
  });

  it('refuses a source signed by another key', async () => {
    const other = await createSignedMirror(join(dir.path, 'other'), { bootloaders: false, centos: false, versions: ['20250718'] });
    await expect(
      createSourceProber().probe(
        { url: `${upstream.url}/`, keyringFilename: other.keyring.binary, skipKeyringVerification: false },
        new AbortController().signal,
      ),
    ).rejects.toMatchObject({ code: 'SIG_ERR_UNKNOWN_KEY' });
  });
});
