export { dataDirLayout, type DataDirLayout } from './data-dir.js';
export { ensureRegionIdentity, prepareDataDir, redisPrefixFor, IdentityFileError, type RegionIdentity } from './identity.js';
export { sameSecret } from './same-secret.js';
