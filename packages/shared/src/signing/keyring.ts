import { readFile } from 'node:fs/promises';
import { readKeys, type PublicKey } from 'openpgp';
import { KeyringError } from './errors.js';

/** The public keys a stream may be signed with (a MAAS boot source's `keyring_filename` or `keyring_data`). */
export interface Keyring {
  readonly keys: readonly PublicKey[];
  /** Every key id (primary and subkeys), 16 upper-case hex digits: what signatures name as their issuer. */
  readonly keyIds: ReadonlySet<string>;
  /** The file it came from, for error messages. */
  readonly file?: string;
}

export type KeyringSource = { file: string } | { bytes: Uint8Array } | { armored: string };

/** Where Ubuntu (and MAAS) keep the keys images.maas.io is signed with: the default wherever a keyring is optional. */
export const UBUNTU_IMAGES_KEYRING = '/usr/share/keyrings/ubuntu-cloudimage-keyring.gpg';

const ARMOR = '-----BEGIN PGP';

/** Reads a keyring in either form gpg writes: binary (`gpg --export`, the `.gpg` MAAS uses) or armored, one key or several. */
export async function loadKeyring(source: KeyringSource): Promise<Keyring> {
  const file = 'file' in source ? source.file : undefined;
  let data: Uint8Array | string;
  if ('file' in source) {
    try {
      data = await readFile(source.file);
    } catch (cause) {
      throw new KeyringError(file, cause instanceof Error ? cause.message : String(cause), { cause });
    }
  } else {
    data = 'bytes' in source ? source.bytes : source.armored;
  }
  const keys = await parseKeys(data, file);
  if (keys.length === 0) throw new KeyringError(file, 'holds no OpenPGP key');
  const keyIds = new Set(keys.flatMap((k) => k.getKeyIDs().map((id) => id.toHex().toUpperCase())));
  return { keys, keyIds, file };
}

async function parseKeys(data: Uint8Array | string, file: string | undefined): Promise<PublicKey[]> {
  const text = typeof data === 'string' ? data : looksArmored(data) ? Buffer.from(data).toString('utf8') : undefined;
  try {
    const keys =
      text !== undefined
        ? (await Promise.all(armorBlocks(text).map((block) => readKeys({ armoredKeys: block })))).flat()
        : await readKeys({ binaryKeys: data as Uint8Array });
    // A keyring is for verifying: never keep secret material around even if the file had some.
    return keys.map((k) => k.toPublic());
  } catch (cause) {
    throw new KeyringError(file, `not an OpenPGP keyring (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  }
}

/** openpgp reads one armor block; a keyring file may hold several, one after the other. */
function armorBlocks(text: string): string[] {
  const blocks = text.match(/-----BEGIN PGP [A-Z ]+-----[\s\S]*?-----END PGP [A-Z ]+-----/g);
  return blocks ?? [text];
}

function looksArmored(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1').trimStart();
  return head.startsWith(ARMOR);
}
