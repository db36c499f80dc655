export { describeRoot, locate, localPath, parseMirrorLocation, type MirrorLocation, type MirrorRoot } from './location.js';
export { DEFAULT_MAX_DOCUMENT_SIZE, readLocation, type ReadOptions } from './read.js';
export { pathSegments, unsafePathReason } from './relative-path.js';
export { DocumentTooLargeError, MirrorLocationError, MirrorReadError } from './errors.js';
