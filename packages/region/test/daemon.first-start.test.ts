import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_KEYRING } from '@bootsync/region/config';
import { join } from 'node:path';
import { startMisbehavingServer } from '@bootsync/testkit/http';
import { capturingLogger } from '@bootsync/testkit/logs';
import { createSignedMirror, DEFAULT_RELEASES } from '@bootsync/testkit/mirror';
import { startRegion } from '../src/daemon.js';
import { defaultArches, hostArchitecture } from '../src/default-release.js';
import { quietLogger, tempDir, testRegionOptions } from './daemon-harness.js';

describe('region first start', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function dataDir(): Promise<string> {
    const dir = await tempDir('daemon');
    cleanups.push(dir.remove);
    return dir.path;
  }

  it('creates the default source with ubuntu/noble amd64 once, and keeps it across restarts', async () => {
    const dir = await dataDir();
    for (let i = 0; i < 2; i++) {
      const region = await startRegion(await testRegionOptions(dir), quietLogger);
      const sources = await region.repositories.bootSources.list();
      expect(sources).toHaveLength(1);
      expect(sources[0]).toMatchObject({
        url: 'http://images.maas.io/ephemeral-v3/stable',
        keyringFilename: DEFAULT_KEYRING,
        skipKeyringVerification: false,
        enabled: true,
      });
      expect(await region.repositories.selections.listForSource(sources[0]!.id)).toMatchObject([
        { os: 'ubuntu', release: 'noble', arches: ['amd64'], subarches: ['*'], labels: ['*'] },
      ]);
      await region.stop();
    }
  });

  it('selects the newest LTS the default source offers, for the host architecture and amd64, and makes it the commissioning release', async () => {
    const dir = await dataDir();
    const releases = [
      ...DEFAULT_RELEASES,
      { release: 'plucky', version: '25.04', title: '25.04', codename: 'Plucky Puffin' },
      { release: 'resolute', version: '26.04', title: '26.04 LTS', codename: 'Resolute Raccoon' },
    ];
    const mirror = await createSignedMirror(join(dir, 'mirror'), { releases, arches: ['amd64', 'arm64'], versions: ['20260501'], bootloaders: false, centos: false });
    const server = await startMisbehavingServer({ root: mirror.root });
    cleanups.push(() => server.close());
    const { logger, lines } = capturingLogger('region');
    const options = await testRegionOptions(dir, { defaultSourceUrl: `${server.url}/`, defaultKeyring: mirror.keyring.binary });
    const region = await startRegion(options, logger);
    cleanups.push(() => region.stop());
    const [source] = await region.repositories.bootSources.list();
    expect(await region.repositories.selections.listForSource(source!.id)).toMatchObject([
      { os: 'ubuntu', release: 'resolute', arches: defaultArches(hostArchitecture()), subarches: ['*'], labels: ['*'] },
    ]);
    expect(await region.repositories.config.get()).toMatchObject({ commissioning_distro_series: 'resolute', default_distro_series: 'resolute' });
    // What it read is cached: selections on it are checked without another read.
    expect(new Set((await region.repositories.sourceCache.list(source!.id)).map((c) => c.release))).toEqual(new Set(['jammy', 'noble', 'plucky', 'resolute']));
    expect(lines).toContainEqual(expect.objectContaining({ event: 'region.default_selection', release: 'resolute', fromSource: true }));
  });

  it('selects commissioning_distro_series when the default source cannot be read, and stores nothing', async () => {
    const dir = await dataDir();
    const { logger, lines } = capturingLogger('region');
    const region = await startRegion(await testRegionOptions(dir, { defaultSourceUrl: 'http://bootsync-test.invalid/' }), logger);
    cleanups.push(() => region.stop());
    const [source] = await region.repositories.bootSources.list();
    expect(await region.repositories.selections.listForSource(source!.id)).toMatchObject([{ release: 'noble' }]);
    expect(await region.repositories.config.isSet('commissioning_distro_series')).toBe(false);
    expect(lines).toContainEqual(expect.objectContaining({ event: 'region.default_source_unread', release: 'noble' }));
  });

  it('puts amd64 beside the host architecture, as MAAS does', () => {
    expect(hostArchitecture('x64')).toBe('amd64');
    expect(hostArchitecture('ppc64')).toBe('ppc64el');
    expect(defaultArches('amd64')).toEqual(['amd64']);
    expect(defaultArches('arm64')).toEqual(['arm64', 'amd64']);
  });

  it('uses --default-source-url and --default-keyring, and leaves existing sources alone', async () => {
    const dir = await dataDir();
    const options = await testRegionOptions(dir, { defaultSourceUrl: 'http://mirror.example/maas/', defaultKeyring: '/etc/mirror.gpg' });
    const region = await startRegion(options, quietLogger);
    const [source] = await region.repositories.bootSources.list();
    expect(source).toMatchObject({ url: 'http://mirror.example/maas', keyringFilename: '/etc/mirror.gpg' });
    await region.repositories.bootSources.update(source!.id, { priority: 7 });
    await region.stop();
    const again = await startRegion(await testRegionOptions(dir), quietLogger);
    expect(await again.repositories.bootSources.list()).toMatchObject([{ url: 'http://mirror.example/maas', priority: 7 }]);
    await again.stop();
  });

  it('closes an import run a killed region left running', async () => {
    const dir = await dataDir();
    const first = await startRegion(await testRegionOptions(dir), quietLogger);
    const run = await first.repositories.importRuns.start();
    await first.stop();
    const second = await startRegion(await testRegionOptions(dir), quietLogger);
    expect((await second.repositories.importRuns.get(run.id)).outcome).toBe('stopped');
    await second.stop();
  });
});
