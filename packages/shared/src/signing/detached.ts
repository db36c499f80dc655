import { createMessage, readSignature, sign, verify, type PrivateKey, type Signature } from 'openpgp';
import { BadSignatureError } from './errors.js';
import type { Keyring } from './keyring.js';
import { acceptSignatures } from './signatures.js';

/**
 * Verifies a detached signature (`X.json.gpg`, armored or binary) over the exact bytes of `data`.
 * Returns the key ids of the keyring keys whose signatures verified.
 */
export async function verifyDetached(
  data: Uint8Array | string,
  signature: string | Uint8Array,
  keyring: Keyring,
  file = 'document',
): Promise<{ keyIds: string[] }> {
  const parsed = await parseSignature(signature, file);
  const binary = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const message = await createMessage({ binary });
  const result = await verify({ message, signature: parsed, verificationKeys: [...keyring.keys] });
  return { keyIds: await acceptSignatures(file, result.signatures, keyring) };
}

async function parseSignature(signature: string | Uint8Array, file: string): Promise<Signature> {
  const armored =
    typeof signature === 'string'
      ? signature
      : Buffer.from(signature.subarray(0, 64)).toString('latin1').trimStart().startsWith('-----BEGIN PGP')
        ? Buffer.from(signature).toString('utf8')
        : undefined;
  try {
    return armored !== undefined
      ? await readSignature({ armoredSignature: armored })
      : await readSignature({ binarySignature: signature as Uint8Array });
  } catch (cause) {
    throw new BadSignatureError(file, [], `unreadable signature (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  }
}

/** An armored detached signature over the bytes of `data`, like `gpg --armor --detach-sign`. */
export async function detachSign(data: Uint8Array | string, privateKey: PrivateKey): Promise<string> {
  const binary = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const message = await createMessage({ binary });
  return sign({ message, signingKeys: privateKey, detached: true });
}
