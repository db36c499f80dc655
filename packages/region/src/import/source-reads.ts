import { ProxyAgent, type Dispatcher } from 'undici';
import type { Logger } from '@bootsync/shared/logging';
import { chooseKeyringFile, loadKeyring, UBUNTU_IMAGES_KEYRING, type Keyring } from '@bootsync/shared/signing';
import { readMirror, type Mirror } from '@bootsync/shared/streams';
import type { BootSource, BootSourceWithSelections } from '../db/index.js';
import { EmptySourceError } from './errors.js';
import { proxyFor, type ImportProxy } from './proxy.js';
import { withSourceReadRetry } from './source-read-retry.js';
import type { SourceReadRetry } from './service-types.js';

export type SourceRead =
  | { readonly ok: true; readonly source: BootSourceWithSelections; readonly mirror: Mirror }
  | { readonly ok: false; readonly source: BootSourceWithSelections; readonly error: Error };

export type ReadableSource = Extract<SourceRead, { readonly ok: true }>;

export interface SourceReadOptions {
  readonly retry: SourceReadRetry;
  readonly proxy: ImportProxy;
  readonly signal: AbortSignal;
  /** Largest index or products document read (`--max-document-size`). @defaultValue 64 MiB */
  readonly maxDocumentSize?: number;
  readonly log?: Logger;
}

/**
 * Reads every source at once, so an unreachable one (retried up to its budget) holds no other back.
 * A failure is returned, not thrown: it belongs to its own source.
 */
export async function readSources(sources: readonly BootSourceWithSelections[], options: SourceReadOptions): Promise<SourceRead[]> {
  const agents = new Map<string, ProxyAgent>();
  const dispatcherFor = (url: string): Dispatcher | undefined => {
    const proxy = proxyFor(options.proxy, url);
    if (proxy === undefined) return undefined;
    let agent = agents.get(proxy);
    if (!agent) agents.set(proxy, (agent = new ProxyAgent(proxy)));
    return agent;
  };
  try {
    return await Promise.all(
      sources.map(async (source): Promise<SourceRead> => {
        try {
          const mirror = await withSourceReadRetry(
            () => readBootSource(source, { signal: options.signal, dispatcher: dispatcherFor(source.url), maxBytes: options.maxDocumentSize, log: options.log }),
            options.retry,
            options.signal,
          );
          if (mirror.items.length === 0) return { ok: false, source, error: new EmptySourceError(source.url) };
          return { ok: true, source, mirror };
        } catch (err) {
          return { ok: false, source, error: err instanceof Error ? err : new Error(String(err)) };
        }
      }),
    );
  } finally {
    await Promise.all([...agents.values()].map((a) => a.close()));
  }
}

/**
 * One read of a source under its signature policy: the keyring from `keyring_data` in memory (no temp file to go
 * unflushed, LP:2122523) or from `keyring_filename`; unsigned only when the operator set skip_keyring_verification.
 */
export async function readBootSource(
  source: Pick<BootSource, 'url' | 'keyringData' | 'keyringFilename' | 'skipKeyringVerification'>,
  options: { signal?: AbortSignal; dispatcher?: Dispatcher | undefined; maxBytes?: number | undefined; log?: Logger | undefined },
): Promise<Mirror> {
  const verify = !source.skipKeyringVerification;
  const keyring = verify ? await sourceKeyring(source, options.log) : undefined;
  const { signal, dispatcher, maxBytes } = options;
  return readMirror(source.url, { verify, keyring, signal, dispatcher, ...(maxBytes !== undefined && { maxBytes }) });
}

async function sourceKeyring(source: Pick<BootSource, 'url' | 'keyringData' | 'keyringFilename'>, log: Logger | undefined): Promise<Keyring> {
  if (source.keyringData !== null && source.keyringData.length > 0) return loadKeyring({ bytes: source.keyringData });
  const choice = await chooseKeyringFile(source.keyringFilename);
  // The Ubuntu package's keyring may be the system's or bootsync's copy of it: say which verified this read.
  if (source.keyringFilename === UBUNTU_IMAGES_KEYRING) {
    log?.info({ event: 'source.keyring', source: source.url, keyring: choice.file, bundled: choice.bundled });
  }
  return loadKeyring({ file: choice.file });
}
