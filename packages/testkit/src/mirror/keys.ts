import { generateKey, type PrivateKey, type PublicKey } from 'openpgp';

export interface TestKey {
  readonly privateKey: PrivateKey;
  readonly publicKey: PublicKey;
  /** Upper-case hex key id of the signing (primary) key, as verification errors report it. */
  readonly keyId: string;
}

/** A throwaway signing key (ECC: generated in milliseconds). Each call gives a different key. */
export async function generateTestKey(name = 'bootsync test mirror'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [{ name, email: 'mirror@bootsync.test' }],
    format: 'object',
  });
  return { privateKey, publicKey, keyId: privateKey.getKeyID().toHex().toUpperCase() };
}
