export { createSignedMirror, type GeneratedFile, type GeneratedItem, type GeneratedMirror } from './signed-mirror.js';
export { generateTestKey, type TestKey } from './keys.js';
export { writePayload, type FileDigest } from './payload.js';
export { DEFAULT_RELEASES, DEFAULT_SIZES, type MirrorSpec, type PayloadFtype, type UbuntuRelease } from './spec.js';
