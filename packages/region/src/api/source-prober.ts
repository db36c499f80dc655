import { loadKeyring } from '@bootsync/shared/signing';
import { readMirror } from '@bootsync/shared/streams';
import type { SourceProber } from './deps.js';

/**
 * The prober the region wires into the API: a real read of the mirror's index and products files, verified with
 * the keyring from the request (bytes in memory, or a file on the region), saving nothing.
 */
export function createSourceProber(options: { headers?: Record<string, string> } = {}): SourceProber {
  return {
    async probe(request, signal) {
      const keyring = request.skipKeyringVerification
        ? undefined
        : await loadKeyring(request.keyringData ? { bytes: request.keyringData } : { file: request.keyringFilename ?? '' });
      const mirror = await readMirror(request.url, {
        verify: !request.skipKeyringVerification,
        ...(keyring && { keyring }),
        signal,
        ...(options.headers && { headers: options.headers }),
      });
      return mirror.items;
    },
  };
}
