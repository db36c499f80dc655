import { connect, type Socket } from 'node:net';
import type { ChunkSink } from '../receive.js';
import { ChunkedDecoder } from './chunked.js';
import { bodyFraming, keepsAlive, parseResponseHead, type Framing, type ResponseHead } from './response-head.js';

/** A response whose body has not been read yet. */
export interface Http1Response {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Feeds the body to `sink`; resolves once it has ended and the sink took the last chunk. Once only. */
  deliver(sink: ChunkSink): Promise<void>;
  /** The body is not wanted: the connection is closed rather than read to its end. */
  dump(): Promise<void>;
}

export interface ExchangeOptions {
  readonly signal?: AbortSignal | undefined;
  /** Longest silence from the server, waiting for the head or for more of the body, before the exchange fails. */
  readonly idleTimeoutMs: number;
}

/**
 * Socket reads land in 1 MiB blocks (Node's default is a fresh 64 KiB buffer per read): a new block is taken only
 * when less than MIN_READ is left, and body bytes go to the sink as views of the block, so a gigabyte costs about a
 * thousand reads and allocations instead of sixteen thousand, and nothing is copied on the way to the hash and disk.
 */
const BLOCK_BYTES = 1 << 20;
const MIN_READ = 64 << 10;

/** An error a socket raises, with the code the downloader's retry decision reads (ECONNRESET, ETIMEDOUT...). */
function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

interface ReadTarget {
  next: () => Buffer;
  read: (n: number) => void;
}

interface Exchange {
  readonly url: string;
  readonly head: Promise<ResponseHead>;
  resolveHead(head: ResponseHead): void;
  fail(err: Error): void;
  framing?: Framing;
  decoder?: ChunkedDecoder;
  left: number;
  sink?: ChunkSink;
  /** Body bytes that arrived with the head, before a sink was given. */
  early: Buffer[];
  waiting: number;
  ended: boolean;
  finish?: { resolve(): void; reject(err: Error): void };
  error?: Error;
  /** Any byte of the response seen: a reused connection that fails before one may be retried on a fresh one. */
  started: boolean;
}

/**
 * One HTTP/1.1 connection for GETs of large files, one exchange at a time; kept for the next request when the
 * server allows it. Only what the downloader needs: GET, Content-Length, chunked and close-delimited bodies.
 */
export class Http1Connection {
  readonly origin: string;
  readonly #socket: Socket;
  #block: Buffer;
  #filled = 0;
  /** Start of the bytes of #block not yet consumed (a head still arriving). */
  #from = 0;
  #exchange: Exchange | undefined;
  #closed = false;
  /** The server said (or showed) that this connection ends with the current response. */
  #closedAfter = false;
  #onIdle: ((connection: Http1Connection) => void) | undefined;
  #idleTimeoutMs = 0;

  private constructor(origin: string, socket: Socket, reads: ReadTarget, block: Buffer) {
    this.origin = origin;
    this.#socket = socket;
    this.#block = block;
    reads.next = () => this.#nextBuffer();
    reads.read = (n) => this.#onRead(n);
    socket.on('error', (err) => this.#fail(err));
    socket.on('end', () => this.#ended());
    socket.on('close', () => {
      this.#closed = true;
      this.#fail(networkError('ECONNRESET', `connection to ${origin} closed`));
    });
    // undici's codes for the same two silences, so logs and retries read them as before.
    socket.on('timeout', () => {
      const code = this.#exchange?.framing ? 'UND_ERR_BODY_TIMEOUT' : 'UND_ERR_HEADERS_TIMEOUT';
      this.#fail(networkError(code, `no data from ${origin} for ${this.#idleTimeoutMs} ms`));
    });
  }

  /** Opens a connection; fails with ETIMEDOUT after `timeoutMs`, or when `signal` fires. */
  static open(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<Http1Connection> {
    return new Promise((resolve, reject) => {
      // The socket exists before the connection that reads it (and asks for its first buffer at once): its reads
      // go through this, set by the constructor.
      const first = Buffer.allocUnsafe(BLOCK_BYTES);
      const reads: ReadTarget = { next: () => first, read: () => undefined };
      const socket = connect({
        host,
        port,
        noDelay: true,
        onread: {
          buffer: () => reads.next(),
          callback: (n: number) => {
            reads.read(n);
            return true;
          },
        },
      });
      const connection = new Http1Connection(`${host}:${port}`, socket, reads, first);
      const timer = setTimeout(() => socket.destroy(networkError('ETIMEDOUT', `connect to ${host}:${port} timed out after ${timeoutMs} ms`)), timeoutMs);
      const abort = (): void => void socket.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal?.addEventListener('abort', abort, { once: true });
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
      };
      socket.once('connect', () => {
        settle();
        resolve(connection);
      });
      socket.once('error', (err) => {
        settle();
        reject(err);
      });
    });
  }

  /** Open, not closed by either side, and between exchanges. */
  get idle(): boolean {
    return !this.#closed && this.#exchange === undefined && !this.#socket.destroyed;
  }

  /** Called once a response has been read to its end on a connection the server keeps open. */
  set onIdle(callback: ((connection: Http1Connection) => void) | undefined) {
    this.#onIdle = callback;
  }

  /** Sends a GET and resolves with the response head; the body waits for `deliver`. */
  async get(url: URL, headers: Readonly<Record<string, string>>, options: ExchangeOptions): Promise<Http1Response> {
    if (!this.idle) throw Object.assign(networkError('ECONNRESET', `connection to ${this.origin} is not available`), { beforeResponse: true });
    options.signal?.throwIfAborted();
    const exchange = this.#begin(url.href);
    const abort = (): void => this.#fail(options.signal?.reason instanceof Error ? options.signal.reason : Object.assign(new Error('aborted'), { name: 'AbortError' }));
    options.signal?.addEventListener('abort', abort, { once: true });
    const stopListening = (): void => options.signal?.removeEventListener('abort', abort);
    this.#idleTimeoutMs = options.idleTimeoutMs;
    this.#socket.setTimeout(options.idleTimeoutMs);
    this.#socket.write(requestText(url, headers));
    this.#socket.resume();
    let head: ResponseHead;
    try {
      head = await exchange.head;
    } catch (err) {
      stopListening();
      throw Object.assign(err as Error, { beforeResponse: !exchange.started });
    }
    return {
      statusCode: head.statusCode,
      headers: head.headers,
      deliver: (sink) => this.#deliver(exchange, sink).finally(stopListening),
      dump: async () => {
        stopListening();
        this.destroy();
      },
    };
  }

  destroy(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  #begin(url: string): Exchange {
    let resolveHead!: (head: ResponseHead) => void;
    let rejectHead!: (err: Error) => void;
    const head = new Promise<ResponseHead>((resolve, reject) => {
      resolveHead = resolve;
      rejectHead = reject;
    });
    head.catch(() => undefined);
    const exchange: Exchange = {
      url,
      head,
      resolveHead,
      fail: (err) => {
        rejectHead(err);
        exchange.finish?.reject(err);
      },
      left: 0,
      early: [],
      waiting: 0,
      ended: false,
      started: false,
    };
    this.#exchange = exchange;
    this.#closedAfter = false;
    this.#from = this.#filled;
    return exchange;
  }

  #deliver(exchange: Exchange, sink: ChunkSink): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (exchange.error) return reject(exchange.error);
      exchange.finish = { resolve, reject };
      exchange.sink = sink;
      for (const chunk of exchange.early.splice(0)) this.#take(exchange, chunk);
      if (!this.#settleIfDone(exchange) && exchange.waiting === 0) {
        this.#socket.setTimeout(this.#idleTimeoutMs);
        this.#socket.resume();
      }
    });
  }

  /** The buffer the next socket read fills: the rest of the current block, or a new block. */
  #nextBuffer(): Buffer {
    if (BLOCK_BYTES - this.#filled < MIN_READ) {
      const fresh = Buffer.allocUnsafe(BLOCK_BYTES);
      // A head still arriving moves along; body bytes already handed on stay in the old block.
      const carried = this.#block.copy(fresh, 0, this.#from, this.#filled);
      this.#block = fresh;
      this.#from = 0;
      this.#filled = carried;
    }
    return this.#block.subarray(this.#filled);
  }

  #onRead(n: number): void {
    const start = this.#filled;
    this.#filled += n;
    const exchange = this.#exchange;
    if (!exchange || exchange.error) {
      // Bytes nobody asked for (a server talking out of turn): this connection cannot be trusted any more.
      if (n > 0) this.destroy();
      return;
    }
    exchange.started = true;
    if (exchange.framing === undefined) {
      this.#readHead(exchange);
      return;
    }
    this.#from = this.#filled;
    this.#body(exchange, this.#block.subarray(start, this.#filled));
  }

  #readHead(exchange: Exchange): void {
    let head: ResponseHead | undefined;
    try {
      head = parseResponseHead(this.#block.subarray(this.#from, this.#filled), exchange.url);
      if (!head) return;
      // An interim 1xx answer: the real one follows.
      if (head.statusCode < 200) {
        this.#from += head.length;
        return this.#readHead(exchange);
      }
      exchange.framing = bodyFraming(head, exchange.url);
    } catch (err) {
      return this.#fail(err as Error);
    }
    const bodyStart = this.#from + head.length;
    this.#from = this.#filled;
    if (exchange.framing.kind === 'length') exchange.left = exchange.framing.length;
    if (exchange.framing.kind === 'chunked') exchange.decoder = new ChunkedDecoder(exchange.url);
    this.#closedAfter ||= !keepsAlive(head, exchange.framing);
    // Until the caller asks for the body, nothing more is read.
    this.#socket.pause();
    this.#socket.setTimeout(0);
    exchange.resolveHead(head);
    this.#body(exchange, this.#block.subarray(bodyStart, this.#filled));
  }

  #body(exchange: Exchange, bytes: Buffer): void {
    const framing = exchange.framing;
    if (!framing) return;
    try {
      if (framing.kind === 'length') {
        const take = Math.min(exchange.left, bytes.length);
        if (take > 0) this.#take(exchange, bytes.subarray(0, take));
        exchange.left -= take;
        if (exchange.left === 0) exchange.ended = true;
        if (take < bytes.length) this.#closedAfter = true; // more than Content-Length: do not reuse
      } else if (framing.kind === 'chunked') {
        const used = exchange.decoder?.feed(bytes, (chunk) => this.#take(exchange, chunk)) ?? 0;
        if (exchange.decoder?.done) exchange.ended = true;
        if (used < bytes.length) this.#closedAfter = true;
      } else if (framing.kind === 'none') {
        exchange.ended = true;
      } else if (bytes.length > 0) {
        this.#take(exchange, bytes);
      }
    } catch (err) {
      // A sink that threw, or a garbled chunked body.
      return this.#fail(err as Error, false);
    }
    this.#settleIfDone(exchange);
  }

  /** One chunk to the sink, or kept until there is one; a sink that must be waited for pauses the socket. */
  #take(exchange: Exchange, chunk: Buffer): void {
    if (!exchange.sink) {
      exchange.early.push(chunk);
      return;
    }
    const wait = exchange.sink(chunk);
    if (!wait) return;
    exchange.waiting += 1;
    this.#socket.pause();
    this.#socket.setTimeout(0);
    wait.then(
      () => {
        exchange.waiting -= 1;
        if (exchange.waiting > 0 || exchange.error) return;
        if (!this.#settleIfDone(exchange)) {
          this.#socket.setTimeout(this.#idleTimeoutMs);
          this.#socket.resume();
        }
      },
      (err: unknown) => this.#fail(err instanceof Error ? err : new Error(String(err)), false),
    );
  }

  /** Resolves the delivery once the body has ended and the sink has everything; the connection is then free. */
  #settleIfDone(exchange: Exchange): boolean {
    if (!exchange.ended || exchange.waiting > 0 || !exchange.finish || exchange.error) return false;
    this.#exchange = undefined;
    this.#socket.setTimeout(0);
    if (this.#closedAfter || this.#closed) this.destroy();
    else {
      this.#socket.resume();
      this.#onIdle?.(this);
    }
    exchange.finish.resolve();
    return true;
  }

  #ended(): void {
    const exchange = this.#exchange;
    this.#closed = true;
    if (exchange?.framing?.kind === 'close') {
      exchange.ended = true;
      this.#settleIfDone(exchange);
      if (!exchange.finish) return; // the caller has not asked for the body yet; it ends as soon as it does
    } else if (exchange && !exchange.ended) {
      this.#fail(networkError('ECONNRESET', `${exchange.url}: the server closed the connection before the response ended`));
    }
  }

  /** Ends the exchange with `err`; a socket's own end or error after the whole body arrived is no failure. */
  #fail(err: Error, fromSocket = true): void {
    const exchange = this.#exchange;
    if (!exchange) {
      this.destroy();
      return;
    }
    if (exchange.error || (fromSocket && exchange.ended)) return;
    exchange.error = err;
    this.#exchange = undefined;
    this.destroy();
    exchange.fail(err);
  }
}

/** The request line and headers; values with a line break are refused (header injection). */
function requestText(url: URL, headers: Readonly<Record<string, string>>): string {
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new TypeError(`header ${name} holds a line break`);
    if (name.toLowerCase() !== 'host') lines.push(`${name}: ${value}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}
