export * from './boot-image.js';
export * from './selection.js';
export * from './set-files.js';
export * from './offered-sets.js';
export * from './offer.js';
export * from './import-plan.js';
export * from './cleanup-plan.js';
export * from './errors.js';
