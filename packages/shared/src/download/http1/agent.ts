import { Http1Connection, type ExchangeOptions, type Http1Response } from './connection.js';

export interface Http1AgentOptions {
  readonly connectTimeoutMs: number;
  /** Idle connections kept per origin for the next request. */
  readonly maxIdlePerOrigin: number;
}

/**
 * Plain-HTTP connections for the downloader's GETs, kept alive per origin. A request on a kept connection that the
 * server closed meanwhile (before any byte of the answer) is sent again on a new one, as undici does for a GET.
 */
export class Http1Agent {
  readonly #options: Http1AgentOptions;
  readonly #idle = new Map<string, Http1Connection[]>();
  #closed = false;

  constructor(options: Http1AgentOptions) {
    this.#options = options;
  }

  async get(url: URL, headers: Readonly<Record<string, string>>, options: ExchangeOptions): Promise<Http1Response> {
    if (this.#closed) throw new Error('the HTTP agent is closed');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port || 80);
    const origin = `${host}:${port}`;
    const kept = this.#takeIdle(origin);
    if (kept) {
      try {
        return await kept.get(url, headers, options);
      } catch (err) {
        if (!(err as { beforeResponse?: boolean }).beforeResponse || options.signal?.aborted) throw err;
      }
    }
    const fresh = await Http1Connection.open(host, port, this.#options.connectTimeoutMs, options.signal);
    fresh.onIdle = (connection) => this.#keep(connection);
    return fresh.get(url, headers, options);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const list of this.#idle.values()) for (const connection of list) connection.destroy();
    this.#idle.clear();
  }

  #takeIdle(origin: string): Http1Connection | undefined {
    const list = this.#idle.get(origin) ?? [];
    for (let connection = list.pop(); connection; connection = list.pop()) {
      if (connection.idle) return connection;
    }
    return undefined;
  }

  #keep(connection: Http1Connection): void {
    const list = this.#idle.get(connection.origin) ?? [];
    if (this.#closed || list.length >= this.#options.maxIdlePerOrigin) {
      connection.destroy();
      return;
    }
    list.push(connection);
    this.#idle.set(connection.origin, list);
  }
}
