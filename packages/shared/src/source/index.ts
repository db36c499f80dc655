export { describeRoot, locate, localPath, parseMirrorLocation, type MirrorLocation, type MirrorRoot } from './location.js';
export { readLocation, type ReadOptions } from './read.js';
export { pathSegments, unsafePathReason } from './relative-path.js';
export { MirrorLocationError, MirrorReadError } from './errors.js';
