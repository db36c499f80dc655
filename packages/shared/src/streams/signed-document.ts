import { KeyringError, SignatureMissingError, clearsignedPayload, verifyClearsigned, verifyDetached, type Keyring } from '../signing/index.js';
import { MirrorReadError, readLocation, type ReadOptions } from '../source/index.js';

export interface SignaturePolicy extends ReadOptions {
  /** Check signatures; false only when the operator asked for an unsigned stream. */
  readonly verify: boolean;
  /** Required when `verify` is true. */
  readonly keyring?: Keyring;
}

export interface StreamDocument {
  /** The text to parse: the signed payload of a `.sjson`, or the bytes of a `.json`. */
  readonly payload: string;
  /** How it was signed; `none` when not verified. */
  readonly signature: 'clearsigned' | 'detached' | 'none';
  /** Key ids of the good signatures (empty when not verified). */
  readonly keyIds: readonly string[];
  /** The bytes as read, signature included for a `.sjson`: what a mirror copies so it verifies with the same keyring. */
  readonly content: Buffer;
  /** The bytes of the detached `X.json.gpg` that verified a `.json`. */
  readonly detachedSignature?: Buffer;
}

/**
 * Reads one stream document under the signature policy, as simplestreams' `read_signed` does for `.sjson`
 * (clearsigned; even unverified, only the signed text is kept) and as maas-images publishes `.json` (verified with
 * the detached `X.json.gpg` beside it).
 */
export async function readStreamDocument(location: string, policy: SignaturePolicy): Promise<StreamDocument> {
  const keyring = policy.verify ? requireKeyring(policy.keyring) : undefined;
  const content = await readLocation(location, policy);
  if (/\.sjson$/i.test(location)) {
    const text = content.toString('utf8');
    if (!keyring) return { payload: clearsignedPayload(text, location), signature: 'none', keyIds: [], content };
    const { payload, keyIds } = await verifyClearsigned(text, keyring, location);
    return { payload, signature: 'clearsigned', keyIds, content };
  }
  if (!keyring) return { payload: content.toString('utf8'), signature: 'none', keyIds: [], content };
  const detachedSignature = await readDetachedSignature(`${location}.gpg`, policy);
  const { keyIds } = await verifyDetached(content, detachedSignature, keyring, location);
  return { payload: content.toString('utf8'), signature: 'detached', keyIds, content, detachedSignature };
}

async function readDetachedSignature(location: string, options: ReadOptions): Promise<Buffer> {
  try {
    return await readLocation(location, options);
  } catch (err) {
    if (err instanceof MirrorReadError && err.notFound) {
      throw new SignatureMissingError(location.slice(0, -'.gpg'.length), `no detached signature at ${location}`);
    }
    throw err;
  }
}

function requireKeyring(keyring: Keyring | undefined): Keyring {
  if (!keyring) throw new KeyringError(undefined, 'signature verification is on but no keyring was given');
  return keyring;
}
