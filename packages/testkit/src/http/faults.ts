/** Ways a served file can misbehave. Several can be combined (e.g. slow and dropped). */
export interface Fault {
  /** Answer this status (e.g. 500, 404) with a short text body instead of the file. */
  readonly status?: number;
  /** With `status`: send this Retry-After header (delay-seconds or an HTTP date). */
  readonly retryAfter?: string;
  /** Redirect here instead (`Location`, absolute or relative; a function of the request path), with `status` or 302. */
  readonly redirectTo?: string | ((path: string) => string);
  /** Cut the connection after sending this many body bytes. */
  readonly dropAfterBytes?: number;
  /** Send this many body bytes, then nothing more while keeping the connection open (an idle server). */
  readonly stallAfterBytes?: number;
  /** Answer Range requests with 200 and the whole file, as some mirrors and proxies do. */
  readonly ignoreRange?: boolean;
  /** Send bytes of the right length but the wrong content (every byte inverted). */
  readonly corrupt?: boolean;
  /** Send the body without Content-Length (chunked), as a streaming server or proxy does. */
  readonly noContentLength?: boolean;
  /** Send at most this many body bytes per second. */
  readonly bytesPerSecond?: number;
  /** Apply to the next `times` matching requests only, then clear itself. Unlimited when absent. */
  readonly times?: number;
}

/** The faults in force, per URL path (`/a/b.img`) or for every path (`*`); a path's own fault wins. */
export class FaultSwitch {
  readonly #faults = new Map<string, { fault: Fault; left: number }>();

  set(path: string, fault: Fault): void {
    this.#faults.set(path, { fault, left: fault.times ?? Number.POSITIVE_INFINITY });
  }

  /** Clears the fault of `path`, or every fault when no path is given. */
  clear(path?: string): void {
    if (path === undefined) this.#faults.clear();
    else this.#faults.delete(path);
  }

  /** The fault for a request to `path`, counting one use of it. */
  take(path: string): Fault | undefined {
    const key = this.#faults.has(path) ? path : this.#faults.has('*') ? '*' : undefined;
    if (key === undefined) return undefined;
    const entry = this.#faults.get(key) as { fault: Fault; left: number };
    entry.left -= 1;
    if (entry.left <= 0) this.#faults.delete(key);
    return entry.fault;
  }
}
