import { createCleartextMessage, readCleartextMessage, sign, verify, type PrivateKey } from 'openpgp';
import { BadSignatureError, SignatureMissingError } from './errors.js';
import type { Keyring } from './keyring.js';
import { acceptSignatures } from './signatures.js';

const SIGNED_MESSAGE = '-----BEGIN PGP SIGNED MESSAGE-----';
const SIGNATURE = '-----BEGIN PGP SIGNATURE-----';

export interface VerifiedText {
  /** The signed text, cut out as simplestreams does; the only part a caller may parse. */
  readonly payload: string;
  /** Key ids (16 upper-case hex digits) of the keyring keys whose signatures verified. */
  readonly keyIds: string[];
}

/**
 * The payload of a clearsigned document, cut as simplestreams' `read_signed` does: after the blank line ending the
 * armor headers, up to the signature marker, `- ` un-escaped, `\n` appended. Only the first signed block counts,
 * so text glued after the signature can never reach the parser. Pure; does not verify anything.
 */
export function clearsignedPayload(text: string, file = 'document'): string {
  if (!text.startsWith(SIGNED_MESSAGE)) {
    throw new SignatureMissingError(file, `does not start with ${SIGNED_MESSAGE}`);
  }
  const lines = text.split(/\r\n|\n|\r/);
  const blank = lines.indexOf('', 1);
  const end = lines.indexOf(SIGNATURE, blank + 1);
  if (blank < 0 || end < 0) throw new SignatureMissingError(file, 'the clearsigned block is not terminated by a signature');
  const body = lines.slice(blank + 1, end).map((line) => (line.startsWith('- ') ? line.slice(2) : line));
  return `${body.join('\n')}\n`;
}

/** Verifies a clearsigned `.sjson` against the keyring and returns the signed text. */
export async function verifyClearsigned(text: string, keyring: Keyring, file = 'document'): Promise<VerifiedText> {
  const payload = clearsignedPayload(text, file);
  let message;
  try {
    message = await readCleartextMessage({ cleartextMessage: text });
  } catch (cause) {
    throw new BadSignatureError(file, [], `unreadable signature block (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  }
  const result = await verify({ message, verificationKeys: [...keyring.keys] });
  const keyIds = await acceptSignatures(file, result.signatures, keyring);
  // openpgp verified its own reading of the text; make sure it is the text we hand out (modulo the trailing
  // whitespace and line endings that the cleartext signature framework does not cover).
  if (canonical(message.getText()) !== canonical(payload.slice(0, -1))) {
    throw new BadSignatureError(file, keyIds, 'the signed text differs from the text that would be parsed');
  }
  return { payload, keyIds };
}

function canonical(text: string): string {
  return text
    .split(/\r\n|\n/)
    .map((line) => line.replace(/[ \t\r]+$/, ''))
    .join('\n');
}

/**
 * Clearsigns `text` as `gpg --clearsign` lays it out (for generated test mirrors and the region's own stream):
 * `\n` line ends, and the text's final line break is the one before the signature marker, so
 * `clearsignedPayload` gives back exactly `text`.
 */
export async function clearsign(text: string, privateKey: PrivateKey): Promise<string> {
  const message = await createCleartextMessage({ text: text.replace(/\n$/, '') });
  const signed = await sign({ message, signingKeys: privateKey });
  // openpgp writes the body with CRLF; the signature covers the canonical form either way.
  return signed.replace(/\r\n/g, '\n');
}
