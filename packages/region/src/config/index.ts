export { regionOptions, DEFAULT_SOURCE_URL, DEFAULT_KEYRING, type RegionOptions } from './region-options.js';
export { advertisedUrl } from './advertise-url.js';
