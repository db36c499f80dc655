import path from 'node:path';
import type { Checksums } from '../streams/index.js';
import { InvalidDigestError, MissingChecksumError, type ChecksumAlgorithm } from './errors.js';
import type { ExpectedContent } from './types.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const HEX = /^[0-9a-f]+$/;

/** Refuses anything but a lowercase sha256 hex digest, so a digest can never name a path outside the store. */
export function assertSha256(value: string): string {
  if (!SHA256_HEX.test(value)) throw new InvalidDigestError(value);
  return value;
}

/** `sha256/<2 hex>/<64 hex>`, relative to the store root. */
export function blobRelativePath(sha256: string): string {
  assertSha256(sha256);
  return path.join('sha256', sha256.slice(0, 2), sha256);
}

/**
 * The checksums to verify: sha256 always (it is the address), plus the strongest other one the item carries
 * when it is stronger than sha256 (sha512), or the only one it carries (md5).
 */
export function checksumsToVerify(checksums: Checksums): ChecksumAlgorithm[] {
  const extra: ChecksumAlgorithm[] = [];
  if (checksums.sha512) extra.push('sha512');
  else if (!checksums.sha256 && checksums.md5) extra.push('md5');
  return ['sha256', ...extra];
}

/**
 * A stable name for the partial of an item, from its strongest checksum, so a later run resumes the same
 * file whatever URL it comes from.
 */
export function partialKey(expected: ExpectedContent): string {
  const { sha256, sha512, md5 } = expected.checksums;
  const [algorithm, value] = sha256 ? ['sha256', sha256] : sha512 ? ['sha512', sha512] : md5 ? ['md5', md5] : [];
  if (!algorithm || !value) throw new MissingChecksumError(expected.ref);
  const hex = value.toLowerCase();
  if (!HEX.test(hex)) throw new InvalidDigestError(value);
  return `${algorithm}-${hex}`;
}
