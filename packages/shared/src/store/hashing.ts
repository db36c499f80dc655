import { createHash, type Hash } from 'node:crypto';
import type { Checksums } from '../streams/index.js';
import { checksumsToVerify } from './digest.js';
import { ChecksumMismatchError, type ChecksumAlgorithm } from './errors.js';
import type { ExpectedContent } from './types.js';

/** Hashes bytes with every algorithm an item must be checked with, in one pass. */
export class ContentHasher {
  readonly #hashes: ReadonlyMap<ChecksumAlgorithm, Hash>;

  constructor(checksums: Checksums) {
    this.#hashes = new Map(checksumsToVerify(checksums).map((a) => [a, createHash(a)]));
  }

  update(chunk: Uint8Array): void {
    for (const hash of this.#hashes.values()) hash.update(chunk);
  }

  /** The hex digests; the hasher cannot be used afterwards. */
  digest(): Map<ChecksumAlgorithm, string> {
    return new Map([...this.#hashes].map(([a, h]) => [a, h.digest('hex')]));
  }
}

/** The first checksum that differs from what the item promised, as the error to raise; undefined when all match. */
export function findMismatch(
  actual: ReadonlyMap<ChecksumAlgorithm, string>,
  expected: ExpectedContent,
): ChecksumMismatchError | undefined {
  for (const [algorithm, value] of actual) {
    const want = expected.checksums[algorithm]?.toLowerCase();
    if (want !== undefined && want !== value) {
      return new ChecksumMismatchError(expected.ref, algorithm, want, value, expected.source);
    }
  }
  return undefined;
}
