import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { UBUNTU_IMAGES_KEYRING } from './keyring.js';

/**
 * The "Ubuntu Cloud Image Builder" public key (4A3C E3CD 565D 7EB5 C810 E2B9 7FF3 F408 476C F100) that signs
 * images.maas.io, shipped with bootsync: Ubuntu hosts have it in the ubuntu-cloudimage-keyring package, Debian and
 * the node:20 image do not, so the default source would fail to verify there. Same depth from src/ and dist/.
 */
export const BUNDLED_UBUNTU_IMAGES_KEYRING = fileURLToPath(new URL('../../keyrings/ubuntu-cloudimage-keyring.gpg', import.meta.url));

/** Which keyring file a source's `keyring_filename` resolves to, and whether it is the bundled copy. */
export interface KeyringFileChoice {
  readonly file: string;
  readonly bundled: boolean;
}

/**
 * `keyring_filename` as given, except the Ubuntu package's path on a host without that package: then the bundled
 * copy of the same key. Any other missing file stays as it is, so its read fails naming it.
 */
export async function chooseKeyringFile(keyringFilename: string): Promise<KeyringFileChoice> {
  if (keyringFilename !== UBUNTU_IMAGES_KEYRING) return { file: keyringFilename, bundled: false };
  try {
    await access(keyringFilename);
    return { file: keyringFilename, bundled: false };
  } catch {
    return { file: BUNDLED_UBUNTU_IMAGES_KEYRING, bundled: true };
  }
}
