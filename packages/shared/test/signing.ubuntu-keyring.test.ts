import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUNDLED_UBUNTU_IMAGES_KEYRING,
  chooseKeyringFile,
  KeyringError,
  loadKeyring,
  UBUNTU_IMAGES_KEYRING,
  verifyClearsigned,
} from '@bootsync/shared/signing';
import { realFixtures } from '@bootsync/testkit/fixtures';

const real = realFixtures.cloudImagesSigned2016;

describe('the Ubuntu Cloud Image Builder key shipped with bootsync', () => {
  it('is exactly the key that signs images.maas.io (4A3C E3CD 565D 7EB5 C810 E2B9 7FF3 F408 476C F100)', async () => {
    const keyring = await loadKeyring({ file: BUNDLED_UBUNTU_IMAGES_KEYRING });
    expect(keyring.keys.map((k) => k.getFingerprint().toUpperCase())).toEqual(['4A3CE3CD565D7EB5C810E2B97FF3F408476CF100']);
  });

  it('stands in for the Ubuntu package keyring where that is absent (Debian, node:20), and verifies a Canonical-signed index', async () => {
    const choice = await chooseKeyringFile(UBUNTU_IMAGES_KEYRING);
    // On an Ubuntu host with ubuntu-cloudimage-keyring installed the system's file is used, as MAAS does.
    expect(choice).toEqual(
      existsSync(UBUNTU_IMAGES_KEYRING) ? { file: UBUNTU_IMAGES_KEYRING, bundled: false } : { file: BUNDLED_UBUNTU_IMAGES_KEYRING, bundled: true },
    );
    const signed = await readFile(path.join(real, 'index.sjson'), 'utf8');
    const { keyIds } = await verifyClearsigned(signed, await loadKeyring({ file: choice.file }), 'index.sjson');
    expect(keyIds).toEqual(['7FF3F408476CF100']);
  });

  it('never replaces any other keyring file, so a missing one still fails naming it', async () => {
    const missing = '/nonexistent/mirror-keyring.gpg';
    expect(await chooseKeyringFile(missing)).toEqual({ file: missing, bundled: false });
    await expect(loadKeyring({ file: missing })).rejects.toBeInstanceOf(KeyringError);
  });
});
