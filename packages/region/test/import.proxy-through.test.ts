import { afterEach, describe, expect, it } from 'vitest';
import { startConnectProxy, type ConnectProxy } from '@bootsync/testkit/http';
import { createImportHarness, type ImportHarness } from './import-harness.js';

let h: ImportHarness | undefined;
let proxy: ConnectProxy | undefined;
afterEach(async () => {
  await h?.close();
  await proxy?.close();
  h = proxy = undefined;
});

describe('an import behind the configured proxy', () => {
  it('reads the stream and downloads the files through http_proxy, and goes direct with boot_images_no_proxy', async () => {
    proxy = await startConnectProxy();
    h = await createImportHarness({ spec: { bootloaders: false, centos: false } });
    await h.repos.config.set('http_proxy', proxy.url);
    await h.repos.config.set('enable_http_proxy', true);
    const upstream = new URL(h.server.url).host;

    expect((await h.importNow()).outcome).toBe('succeeded');
    // Metadata reads and downloads use agents of their own, so both going through the proxy means two tunnels at least.
    expect(proxy.targets.length).toBeGreaterThanOrEqual(2);
    expect(new Set(proxy.targets)).toEqual(new Set([upstream]));

    await h.repos.config.set('boot_images_no_proxy', true);
    await h.mirror.addVersion('20250801');
    const tunnels = proxy.targets.length;
    const direct = await h.importNow();

    expect(direct).toMatchObject({ outcome: 'succeeded', changed: true });
    expect(proxy.targets.length).toBe(tunnels);
  });
});
