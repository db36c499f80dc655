import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { ConnectionsResetError } from './errors.js';
import { bypassesProxy, type NoProxyRule } from './proxy.js';

export interface PoolSettings {
  readonly agent: Agent.Options;
  /** HTTP(S) proxy for http(s) URLs not in `noProxy`. */
  readonly proxy: string | undefined;
  readonly noProxy: readonly NoProxyRule[];
}

interface Pools {
  readonly direct: Agent;
  readonly proxied: ProxyAgent | undefined;
  /** Aborted when these pools are replaced: every request made through them ends. */
  readonly replaced: AbortController;
}

/** Every open set of pools in this process, so a fault of the HTTP client itself can replace them all at once. */
const live = new Set<ConnectionPools>();

/**
 * A Downloader's connection pools (direct, and through its proxy), which can be thrown away and made anew: when
 * the HTTP client fails inside its own connection handling (dependency-faults.ts), its state for those
 * connections cannot be trusted; requests in flight end with ConnectionsResetError and retry on fresh pools.
 */
export class ConnectionPools {
  readonly #settings: PoolSettings;
  #pools: Pools;

  constructor(settings: PoolSettings) {
    this.#settings = settings;
    this.#pools = this.#open();
    live.add(this);
  }

  dispatcherFor(url: URL): Dispatcher {
    const { direct, proxied } = this.#pools;
    return proxied && this.isProxied(url) ? proxied : direct;
  }

  /** Whether requests for `url` go through the proxy. */
  isProxied(url: URL): boolean {
    return this.#settings.proxy !== undefined && !bypassesProxy(url, this.#settings.noProxy);
  }

  /** Aborted once the pools a request is about to use are replaced. */
  get signal(): AbortSignal {
    return this.#pools.replaced.signal;
  }

  /** Ends every request of the current pools with ConnectionsResetError and opens new pools. */
  reset(cause: unknown): void {
    const old = this.#pools;
    this.#pools = this.#open();
    old.replaced.abort(new ConnectionsResetError(cause));
    // Not awaited: a client that failed inside its socket handlers may never report being destroyed.
    for (const agent of [old.direct, old.proxied]) agent?.destroy().catch(() => undefined);
  }

  async close(): Promise<void> {
    live.delete(this);
    const { direct, proxied } = this.#pools;
    await Promise.all([direct.close(), proxied?.close()]);
  }

  #open(): Pools {
    const { agent, proxy } = this.#settings;
    return {
      direct: new Agent(agent),
      proxied: proxy ? new ProxyAgent({ ...agent, uri: proxy }) : undefined,
      replaced: new AbortController(),
    };
  }
}

/** Replaces the connection pools of every open Downloader of this process; returns how many. */
export function resetAllConnectionPools(cause: unknown): number {
  for (const pools of live) pools.reset(cause);
  return live.size;
}
