/**
 * `@bootsync/region/testing`: what the tests of other packages and the tests of several daemons (test/) use of the
 * region's test harnesses, so none reaches into packages/region by a relative path. Tests only: vitest and
 * tsconfig.test.json map it here; it is not built into the package.
 */
export { cacheRealOffer, maasCall, maasMultipart, oauthHeader, pythonMaasMultipart, startApi, type ApiHarness, type Field } from './api-harness.js';
export { createImportHarness, NOBLE_AMD64, partialBytes, type ImportHarness } from './import-harness.js';
export { testRegionOptions } from './daemon-harness.js';
export { tableContents } from './db-harness.js';
// The region's own pieces those tests drive in-process (the bins run the rest).
export { startRegion, type RunningRegion } from '../src/daemon.js';
export { openRegionState } from '../src/region-state.js';
export { sourceProber } from '../src/source-prober.js';
