import type { SourceProber } from './api/index.js';
import { readBootSource } from './import/index.js';

/** Reads and verifies a source the way an import does, saving nothing: the API's op=fetch and the page's "Connect". */
export const sourceProber: SourceProber = {
  async probe(request, signal) {
    const mirror = await readBootSource(
      {
        url: request.url,
        keyringData: request.keyringData ?? null,
        keyringFilename: request.keyringFilename ?? '',
        skipKeyringVerification: request.skipKeyringVerification,
      },
      { signal },
    );
    return mirror.items;
  },
};
