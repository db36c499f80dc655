import { request } from 'undici';
import { ConnectionPools } from './connection-pools.js';
import { parseNoProxy } from './proxy.js';
import { receive } from './receive.js';
import type { PayloadClient, PayloadResponse } from './sources.js';

export interface UndiciPayloadSettings {
  readonly connections: number;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly proxy?: string | undefined;
  readonly noProxy?: string | readonly string[] | undefined;
}

/**
 * Payload GETs through undici: https, a proxy, or `httpClient: 'undici'`. Its own connection pools, which a fault of
 * undici replaces (dependency-faults.ts): a request in flight then fails with ConnectionsResetError and is retried.
 * Loaded only when a download needs it, so a download thread serving plain http never holds undici.
 */
export class UndiciPayloads implements PayloadClient {
  readonly #pools: ConnectionPools;
  readonly #idleTimeoutMs: number;

  constructor(settings: UndiciPayloadSettings) {
    const connectTimeout = settings.connectTimeoutMs;
    const agent = { connections: settings.connections, connectTimeout, connect: { timeout: connectTimeout } };
    this.#pools = new ConnectionPools({ agent, proxy: settings.proxy, noProxy: parseNoProxy(settings.noProxy) });
    this.#idleTimeoutMs = settings.idleTimeoutMs;
  }

  async get(url: URL, headers: Readonly<Record<string, string>>, signal: AbortSignal | undefined): Promise<PayloadResponse> {
    const pools = this.#pools.signal;
    const res = await request(url, {
      method: 'GET',
      headers,
      dispatcher: this.#pools.dispatcherFor(url),
      signal: signal ? AbortSignal.any([signal, pools]) : pools,
      headersTimeout: this.#idleTimeoutMs,
      bodyTimeout: this.#idleTimeoutMs,
    });
    return { statusCode: res.statusCode, headers: res.headers, body: { deliver: (sink) => receive(res.body, sink), dump: () => res.body.dump() } };
  }

  close(): Promise<void> {
    return this.#pools.close();
  }
}
