import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseByteRange } from '@bootsync/shared/http';
import { FaultSwitch, type Fault } from './faults.js';

/** One request as the server saw it, filled in as the answer goes out. */
export interface RequestRecord {
  readonly method: string;
  /** URL path, decoded (`/streams/v1/index.json`). */
  readonly path: string;
  readonly range: string | undefined;
  readonly ifRange: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  status: number;
  /** When it arrived (Date.now()). */
  readonly at: number;
  /** Body bytes written to the socket (before a drop, if any). */
  bytesSent: number;
}

export interface MisbehavingServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  readonly faults: FaultSwitch;
  /** Every request, in arrival order. */
  readonly requests: readonly RequestRecord[];
  /** Requests being answered right now, and the most seen at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  close(): Promise<void>;
}

export interface MisbehavingServerOptions {
  /** Directory whose files are served; nothing outside it is reachable. */
  readonly root: string;
}

const READ_CHUNK = 1 << 20;
const SLOW_TICKS_PER_SECOND = 20;

/**
 * A static file server on 127.0.0.1 (GET, HEAD, single Range, ETag and Last-Modified, If-Range, 1 MiB reads)
 * whose answers can be made to fail per path: see `Fault`.
 */
export async function startMisbehavingServer(options: MisbehavingServerOptions): Promise<MisbehavingServer> {
  const root = path.resolve(options.root);
  const faults = new FaultSwitch();
  const requests: RequestRecord[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // Answered once its last byte is handed to the socket (or it is closed): a client that sends its next request
    // on the same connection as soon as the body is in does not count as overlapping it.
    let answering = true;
    const answered = (): void => {
      if (answering) inFlight -= 1;
      answering = false;
    };
    res.on('close', answered);
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: safeDecode(new URL(req.url ?? '/', 'http://x').pathname),
      range: header(req, 'range'),
      ifRange: header(req, 'if-range'),
      headers: req.headers,
      status: 0,
      at: Date.now(),
      bytesSent: 0,
    };
    requests.push(record);
    serve(root, record, faults.take(record.path), req, res, answered).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function serve(
  root: string,
  record: RequestRecord,
  fault: Fault | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  answered: () => void,
): Promise<void> {
  if (fault?.redirectTo !== undefined) {
    const location = typeof fault.redirectTo === 'string' ? fault.redirectTo : fault.redirectTo(record.path);
    res.setHeader('location', location);
    return answer(res, record, fault.status ?? 302, `moved to ${location}\n`);
  }
  if (fault?.status !== undefined) {
    if (fault.retryAfter !== undefined) res.setHeader('retry-after', fault.retryAfter);
    return answer(res, record, fault.status, `fault: status ${fault.status}\n`);
  }
  if (record.method !== 'GET' && record.method !== 'HEAD') return answer(res, record, 405, 'GET or HEAD only\n');
  const file = path.join(root, record.path);
  if (file !== root && !file.startsWith(root + path.sep)) return answer(res, record, 404, 'not found\n');
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return answer(res, record, 404, 'not found\n');

  const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const lastModified = info.mtime.toUTCString();
  const validatorOk = record.ifRange === undefined || record.ifRange === etag || record.ifRange === lastModified;
  const range = fault?.ignoreRange || !validatorOk ? undefined : parseByteRange(record.range, info.size);
  res.setHeader('etag', etag);
  res.setHeader('last-modified', lastModified);
  res.setHeader('accept-ranges', 'bytes');
  if (range === 'unsatisfiable') {
    res.setHeader('content-range', `bytes */${info.size}`);
    return answer(res, record, 416, 'range not satisfiable\n');
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? info.size - 1;
  if (range) res.setHeader('content-range', `bytes ${start}-${end}/${info.size}`);
  res.setHeader('content-type', 'application/octet-stream');
  if (!fault?.noContentLength) res.setHeader('content-length', String(end - start + 1));
  record.status = range ? 206 : 200;
  res.writeHead(record.status);
  if (record.method === 'HEAD' || info.size === 0) return void res.end();
  await sendBody(createReadStream(file, { start, end, highWaterMark: READ_CHUNK }), record, fault, req, res, () => {
    if (record.bytesSent === end - start + 1) answered();
  });
}

async function sendBody(
  body: AsyncIterable<Buffer>,
  record: RequestRecord,
  fault: Fault | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  wrote: () => void,
): Promise<void> {
  const slice = fault?.bytesPerSecond ? Math.max(1, Math.floor(fault.bytesPerSecond / SLOW_TICKS_PER_SECOND)) : Infinity;
  for await (const chunk of body) {
    for (let at = 0; at < chunk.length; at += slice) {
      let piece = chunk.subarray(at, Math.min(chunk.length, at + slice));
      if (fault?.corrupt) piece = invert(piece);
      const cutAt = fault?.dropAfterBytes ?? fault?.stallAfterBytes;
      if (cutAt !== undefined && record.bytesSent + piece.length >= cutAt) {
        const last = piece.subarray(0, cutAt - record.bytesSent);
        record.bytesSent += last.length;
        // A drop cuts the connection; a stall never ends the response: the client's idle timeout (or close()) does.
        res.write(last, () => fault?.dropAfterBytes !== undefined && res.destroy());
        return;
      }
      if (res.destroyed || req.destroyed) return;
      record.bytesSent += piece.length;
      const flowing = res.write(piece);
      wrote();
      if (!flowing) await drained(res);
      if (slice !== Infinity) await sleep(1000 / SLOW_TICKS_PER_SECOND);
    }
  }
  res.end();
}

/** Resolves on 'drain' or 'close', whichever comes first, leaving no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

function answer(res: ServerResponse, record: RequestRecord, status: number, text: string): void {
  record.status = status;
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(text)) });
  res.end(record.method === 'HEAD' ? undefined : text);
}

function invert(chunk: Buffer): Buffer {
  const out = Buffer.allocUnsafe(chunk.length);
  for (let i = 0; i < chunk.length; i++) out[i] = ~(chunk[i] as number) & 0xff;
  return out;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function safeDecode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}
