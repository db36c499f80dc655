import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConnectProxy, startMisbehavingServer, type ConnectProxy, type MisbehavingServer } from '@bootsync/testkit/http';
import { createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { deleteKeys } from '@bootsync/testkit/redis';
import { eventually } from '@bootsync/testkit/wait';
import { startRegion, type RunningRegion } from '../src/daemon.js';
import { maasCall } from './api-harness.js';
import { quietLogger, tempDir, testRegionOptions } from './daemon-harness.js';

// The region as the bin composes it ('full'), so op=fetch goes through the prober the daemon wires.
let dir: Awaited<ReturnType<typeof tempDir>>;
let mirror: GeneratedMirror;
let upstream: MisbehavingServer;
let proxy: ConnectProxy;
let region: RunningRegion;

beforeAll(async () => {
  dir = await tempDir('fetch-proxy');
  mirror = await createSignedMirror(join(dir.path, 'upstream'), { bootloaders: false, centos: false, versions: ['20250718'] });
  upstream = await startMisbehavingServer({ root: mirror.root });
  proxy = await startConnectProxy();
  // The default source answers 404: the start-up import fails at once (a closed port was retried for a minute, and
  // an import that began after a test set http_proxy went through the proxy). It ends before the tests begin.
  const options = await testRegionOptions(join(dir.path, 'region'), {
    defaultSourceUrl: `${upstream.url}/nowhere/`,
    defaultKeyring: mirror.keyring.binary,
  });
  region = await startRegion(options, quietLogger, 'full');
  await eventually(async () => ((await region.imports?.lastRuns(1))?.[0]?.outcome === 'failed' ? true : undefined), 20_000, 'the start-up import to fail');
});
afterAll(async () => {
  await region?.stop();
  if (region) await deleteKeys(region.identity.redisPrefix);
  await upstream?.close();
  await proxy?.close();
  await dir?.remove();
});

const api = async () => ({ app: region.http, key: await region.repositories.apiKeys.ensureAdmin() });

async function setConfig(name: string, value: string): Promise<void> {
  const res = await maasCall(await api(), 'POST', 'maas/?op=set_config', [['name', name], ['value', value]]);
  expect(res.statusCode).toBe(200);
}

/** boot-sources fetch of the local mirror through the API; the targets the proxy tunnelled to meanwhile. */
async function fetchOffer(): Promise<{ status: number; images: number; tunnelled: string[] }> {
  const before = proxy.targets.length;
  const res = await maasCall(await api(), 'POST', 'boot-sources/?op=fetch', [['url', `${upstream.url}/`], ['keyring_filename', mirror.keyring.binary]]);
  const images = res.statusCode === 200 ? (res.json() as { images: unknown[] }).images.length : 0;
  return { status: res.statusCode, images, tunnelled: proxy.targets.slice(before) };
}

describe('boot-sources op=fetch follows the region proxy settings', () => {
  it('connects directly while no http_proxy is set', async () => {
    expect(await fetchOffer()).toMatchObject({ status: 200, tunnelled: [] });
  });

  it('goes through http_proxy once set (enable_http_proxy defaults to true)', async () => {
    await setConfig('http_proxy', proxy.url);
    const offer = await fetchOffer();
    expect(offer.status).toBe(200);
    expect(offer.images).toBeGreaterThan(0);
    expect(new Set(offer.tunnelled)).toEqual(new Set([new URL(upstream.url).host]));
  });

  it('connects directly to the source with boot_images_no_proxy, and when the proxy is disabled', async () => {
    await setConfig('http_proxy', proxy.url);
    await setConfig('boot_images_no_proxy', 'true');
    expect(await fetchOffer()).toMatchObject({ status: 200, tunnelled: [] });
    await setConfig('boot_images_no_proxy', 'false');
    await setConfig('enable_http_proxy', 'false');
    expect(await fetchOffer()).toMatchObject({ status: 200, tunnelled: [] });
  });
});
