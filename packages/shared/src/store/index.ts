export { ContentStore } from './content-store.js';
export { assertSha256, blobRelativePath, checksumsToVerify, partialKey } from './digest.js';
export {
  BlobNotFoundError,
  ChecksumMismatchError,
  InsufficientSpaceError,
  InvalidDigestError,
  MissingChecksumError,
  SizeMismatchError,
  type ChecksumAlgorithm,
} from './errors.js';
export { availableBytes } from './free-space.js';
export { ContentHasher, findMismatch } from './hashing.js';
export { ReadPacer } from './read-pacer.js';
export {
  DEFAULT_SCRUB_BYTES_PER_SECOND,
  scrubStore,
  type ScrubMismatch,
  type ScrubOptions,
  type ScrubProgress,
  type ScrubResult,
} from './scrub.js';
export type { BlobSink, ContentStoreOptions, ExpectedContent, GcOptions, GcResult, PartialFile, StoredBlob } from './types.js';
