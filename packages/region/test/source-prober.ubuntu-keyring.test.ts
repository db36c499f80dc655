import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { realFixtures } from '@bootsync/testkit/fixtures';
import { capturingLogger } from '@bootsync/testkit/logs';
import { BUNDLED_UBUNTU_IMAGES_KEYRING, UBUNTU_IMAGES_KEYRING } from '@bootsync/shared/signing';
import { DEFAULT_KEYRING } from '@bootsync/region/config';
import { createSourceProber } from '../src/source-prober.js';
import { tempDir } from './daemon-harness.js';

/**
 * The default source names the Ubuntu package's keyring, which Debian and the node:20 image lack. Served here: a
 * real index.sjson Canonical signed with the key images.maas.io is signed with (its products are not served).
 */
describe('the default keyring on a host without ubuntu-cloudimage-keyring', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: MisbehavingServer;

  beforeAll(async () => {
    dir = await tempDir('ubuntu-keyring');
    await mkdir(join(dir.path, 'streams', 'v1'), { recursive: true });
    await copyFile(join(realFixtures.cloudImagesSigned2016, 'index.sjson'), join(dir.path, 'streams', 'v1', 'index.sjson'));
    server = await startMisbehavingServer({ root: dir.path });
  });
  afterAll(async () => {
    await server.close();
    await dir.remove();
  });

  it('verifies the signed index with the shipped key and logs which keyring it used', async () => {
    expect(DEFAULT_KEYRING).toBe(UBUNTU_IMAGES_KEYRING);
    const { logger, lines } = capturingLogger('region');
    const err = await createSourceProber(undefined, { log: logger })
      .probe({ url: `${server.url}/`, keyringFilename: DEFAULT_KEYRING, skipKeyringVerification: false }, AbortSignal.timeout(10_000))
      .then(() => undefined, (e: unknown) => e as { code?: string; message: string });
    // The signature passed: the read stops at the products files, which this server does not have (before the
    // shipped key, it stopped at the keyring: SIG_ERR_KEYRING, ENOENT).
    expect(err?.code).not.toMatch(/^SIG_/);
    expect(err?.message).toMatch(/streams\/v1\/com\.[a-z.]+:[a-z]+\.sjson: HTTP 404/);
    const bundled = !existsSync(UBUNTU_IMAGES_KEYRING);
    expect(lines.filter((l) => l.event === 'source.keyring')).toEqual([
      expect.objectContaining({ source: `${server.url}/`, keyring: bundled ? BUNDLED_UBUNTU_IMAGES_KEYRING : UBUNTU_IMAGES_KEYRING, bundled }),
    ]);
  });
});
