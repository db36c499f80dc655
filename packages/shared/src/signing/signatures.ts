import type { verify } from 'openpgp';
import { BadSignatureError, SignatureMissingError, UnknownKeyError } from './errors.js';
import type { Keyring } from './keyring.js';

type VerificationResult = Awaited<ReturnType<typeof verify>>['signatures'][number];

/**
 * Decides on openpgp's per-signature results: good when one signature by a keyring key verifies.
 * "Unknown key" and "bad signature" are told apart so an operator knows whether to fix the keyring or distrust the
 * mirror. Returns the key ids of the good signatures.
 */
export async function acceptSignatures(
  file: string,
  signatures: readonly VerificationResult[],
  keyring: Keyring,
): Promise<string[]> {
  if (signatures.length === 0) throw new SignatureMissingError(file, 'the signature block holds no signature');
  const seen = signatures.map((s) => s.keyID.toHex().toUpperCase());
  const known = signatures.filter((s) => keyring.keyIds.has(s.keyID.toHex().toUpperCase()));
  if (known.length === 0) throw new UnknownKeyError(file, seen);
  const good: string[] = [];
  let firstFailure: unknown;
  for (const signature of known) {
    try {
      await signature.verified;
      good.push(signature.keyID.toHex().toUpperCase());
    } catch (err) {
      firstFailure ??= err;
    }
  }
  if (good.length === 0) {
    const reason = firstFailure instanceof Error ? firstFailure.message : String(firstFailure);
    throw new BadSignatureError(file, seen, reason, { cause: firstFailure });
  }
  return good;
}
