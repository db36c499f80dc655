import { ProxyAgent } from 'undici';
import { loadKeyring } from '@bootsync/shared/signing';
import { readMirror } from '@bootsync/shared/streams';
import type { SourceProber } from './deps.js';

export interface SourceProberOptions {
  /**
   * The HTTP proxy for a URL, or undefined to go direct; asked on every probe so a `maas set-config` applies at
   * once. The region passes its import's rule (enable_http_proxy, http_proxy, boot_images_no_proxy).
   */
  readonly proxyFor?: (url: string) => string | undefined;
}

/**
 * The prober the region wires into the API: a real read of the mirror's index and products files, verified with
 * the keyring from the request (bytes in memory, or a file on the region), saving nothing.
 */
export function createSourceProber(options: SourceProberOptions = {}): SourceProber {
  return {
    async probe(request, signal) {
      const keyring = request.skipKeyringVerification
        ? undefined
        : await loadKeyring(request.keyringData ? { bytes: request.keyringData } : { file: request.keyringFilename ?? '' });
      const proxy = options.proxyFor?.(request.url);
      const dispatcher = proxy === undefined ? undefined : new ProxyAgent(proxy);
      try {
        const mirror = await readMirror(request.url, {
          verify: !request.skipKeyringVerification,
          ...(keyring && { keyring }),
          ...(dispatcher && { dispatcher }),
          signal,
        });
        return mirror.items;
      } finally {
        await dispatcher?.close();
      }
    },
  };
}
