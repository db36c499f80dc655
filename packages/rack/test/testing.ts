/**
 * `@bootsync/rack/testing`: what the tests of several daemons (test/) use of the rack's test fixtures, so none
 * reaches into packages/rack by a relative path. Tests only: vitest and tsconfig.test.json map it here.
 */
export { bootItem, storeBlob, tempDir } from './rack-fixtures.js';
