import { ProxyAgent } from 'undici';
import type { Logger } from '@bootsync/shared/logging';
import type { SourceProber } from './api/index.js';
import type { RegionConfigRepository } from './db/index.js';
import { importProxy, proxyFor, readBootSource } from './import/index.js';

/**
 * Reads and verifies a source the way an import does, saving nothing: the API's op=fetch and the page's "Connect".
 * With the region's config, it goes through the same proxy an import would (read at each probe, so a
 * `maas set-config` applies at once); without, it connects directly.
 */
export function createSourceProber(
  config?: Pick<RegionConfigRepository, 'get'>,
  limits: { maxDocumentSize?: number; log?: Logger } = {},
): SourceProber {
  return {
    async probe(request, signal) {
      const proxy = config && proxyFor(importProxy(await config.get(), [request.url]), request.url);
      const dispatcher = proxy === undefined ? undefined : new ProxyAgent(proxy);
      try {
        const mirror = await readBootSource(
          {
            url: request.url,
            keyringData: request.keyringData ?? null,
            keyringFilename: request.keyringFilename ?? '',
            skipKeyringVerification: request.skipKeyringVerification,
          },
          { signal, log: limits.log, ...(dispatcher && { dispatcher }), maxBytes: limits.maxDocumentSize },
        );
        return mirror.items;
      } finally {
        await dispatcher?.close();
      }
    },
  };
}

/** A prober that always connects directly. */
export const sourceProber: SourceProber = createSourceProber();
