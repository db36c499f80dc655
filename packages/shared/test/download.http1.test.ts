import { createHash, randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Http1Agent, type Http1Response } from '../src/download/http1/index.js';
import { servePayloads, type ServedPayloads } from '@bootsync/testkit/http';
import { waitFor } from '@bootsync/testkit/wait';

// The downloader's own HTTP/1.1 client, against real servers: the testkit's file server, Node's http server
// (chunked, keep-alive) and raw sockets for what servers rarely but really do.
const MiB = 1024 * 1024;
let served: ServedPayloads;
let agent: Http1Agent;

beforeAll(async () => {
  served = await servePayloads([40 * MiB + 123, 3000]);
});
afterAll(() => served.close());
afterEach(async () => {
  await agent?.close();
});

const newAgent = (): Http1Agent => (agent = new Http1Agent({ connectTimeoutMs: 2000, maxIdlePerOrigin: 4 }));
const OPTIONS = { idleTimeoutMs: 2000 };

async function bodyOf(res: Http1Response, sink?: (chunk: Buffer) => Promise<void> | undefined): Promise<{ bytes: Buffer; chunks: number }> {
  const parts: Buffer[] = [];
  await res.deliver((chunk) => {
    parts.push(Buffer.from(chunk));
    return sink?.(chunk);
  });
  return { bytes: Buffer.concat(parts), chunks: parts.length };
}

/** A TCP server answering each connection with `answer` (raw bytes), counting connections. */
async function rawServer(
  answer: (socket: Socket, request: string) => void,
): Promise<{ url: string; connections: () => number; closed: () => number; server: Server }> {
  let connections = 0;
  let closed = 0;
  const server = createServer((socket) => {
    connections += 1;
    socket.on('close', () => void (closed += 1));
    let seen = '';
    socket.on('data', (d) => {
      seen += d.toString('latin1');
      if (seen.includes('\r\n\r\n')) {
        const request = seen;
        seen = '';
        answer(socket, request);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections, closed: () => closed, server };
}

describe('Http1Agent: GET for large files', () => {
  it('receives a 40 MiB file byte for byte, in chunks far larger than 64 KiB reads', async () => {
    const [big] = served.files;
    const res = await newAgent().get(new URL(served.urlOf(big!)), { 'user-agent': 'test' }, OPTIONS);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe(String(big!.size));
    const { bytes, chunks } = await bodyOf(res);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(big!.sha256);
    expect(served.requestsFor(big!)[0]?.headers['user-agent']).toBe('test');
    expect(chunks).toBeLessThan(big!.size / (64 * 1024));
  });

  it('passes a Range answer through (206, Content-Range) and the rest of the file after the offset', async () => {
    const [, small] = served.files;
    const res = await newAgent().get(new URL(served.urlOf(small!)), { range: 'bytes=1000-' }, OPTIONS);
    expect(res.statusCode).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes 1000-2999/3000`);
    expect((await bodyOf(res)).bytes.equals(small!.bytes.subarray(1000))).toBe(true);
  });

  it('keeps a connection for the next request, and sends a request again when the server closed the kept one', async () => {
    let closeAfterAnswer = false;
    const raw = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello');
      if (closeAfterAnswer) socket.end();
    });
    try {
      newAgent();
      for (let i = 0; i < 3; i++) expect((await bodyOf(await agent.get(new URL(`${raw.url}/a`), {}, OPTIONS))).bytes.toString()).toBe('hello');
      expect(raw.connections()).toBe(1);
      closeAfterAnswer = true;
      await bodyOf(await agent.get(new URL(`${raw.url}/a`), {}, OPTIONS));
      // Closed at both ends: the client has read the server's FIN (and answered it with its own).
      await waitFor('the kept connection closed', () => raw.closed() === 1);
      expect((await bodyOf(await agent.get(new URL(`${raw.url}/a`), {}, OPTIONS))).bytes.toString()).toBe('hello');
      expect(raw.connections()).toBe(2);
    } finally {
      raw.server.close();
    }
  });

  it('decodes chunked bodies (Node http without Content-Length), with trailers', async () => {
    const payload = randomBytes(300_000);
    const server: HttpServer = createHttpServer((_req, res) => {
      res.writeHead(200, { trailer: 'x-check' });
      for (let at = 0; at < payload.length; at += 70_001) res.write(payload.subarray(at, at + 70_001));
      res.addTrailers({ 'x-check': 'done' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      newAgent();
      for (let i = 0; i < 2; i++) {
        const res = await agent.get(new URL(url), {}, OPTIONS);
        expect(res.headers['transfer-encoding']).toBe('chunked');
        expect((await bodyOf(res)).bytes.equals(payload)).toBe(true);
      }
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('reads an HTTP/1.0 body to the connection close, skips an interim 100, and honours backpressure', async () => {
    const payload = randomBytes(2 * MiB);
    const raw = await rawServer((socket) => {
      socket.write('HTTP/1.1 100 Continue\r\n\r\n');
      socket.write('HTTP/1.0 200 OK\r\nserver: SimpleHTTP/0.6\r\n\r\n');
      socket.end(payload);
    });
    try {
      const res = await newAgent().get(new URL(`${raw.url}/f`), {}, OPTIONS);
      expect(res.statusCode).toBe(200);
      // A slow disk: every chunk waits a little.
      const { bytes } = await bodyOf(res, () => sleep(2));
      expect(bytes.equals(payload)).toBe(true);
    } finally {
      raw.server.close();
    }
  });

  it('fails with ECONNRESET when the server closes before Content-Length bytes, a body timeout when it goes silent', async () => {
    const raw = await rawServer((socket, request) => {
      if (request.startsWith('GET /cut')) socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly this');
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nthen nothing');
    });
    try {
      newAgent();
      const cut = await agent.get(new URL(`${raw.url}/cut`), {}, OPTIONS);
      await expect(bodyOf(cut)).rejects.toMatchObject({ code: 'ECONNRESET' });
      const silent = await agent.get(new URL(`${raw.url}/silent`), {}, { idleTimeoutMs: 200 });
      await expect(bodyOf(silent)).rejects.toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
    } finally {
      raw.server.close();
    }
  });

  it('stops on abort, before the answer and in the middle of the body', async () => {
    const raw = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nsome'));
    try {
      newAgent();
      const before = new AbortController();
      before.abort(new Error('stop now'));
      await expect(agent.get(new URL(`${raw.url}/x`), {}, { ...OPTIONS, signal: before.signal })).rejects.toThrow('stop now');
      const during = new AbortController();
      const res = await agent.get(new URL(`${raw.url}/x`), {}, { ...OPTIONS, signal: during.signal });
      const delivering = bodyOf(res);
      during.abort(new Error('stopped midway'));
      await expect(delivering).rejects.toThrow('stopped midway');
    } finally {
      raw.server.close();
    }
  });

  it('refuses a garbled answer and conflicting lengths (DOWNLOAD_ERR_PROTOCOL)', async () => {
    const raw = await rawServer((socket, request) => {
      if (request.startsWith('GET /garbled')) socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n');
      else socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\ncontent-length: 20\r\n\r\n');
    });
    try {
      newAgent();
      await expect(agent.get(new URL(`${raw.url}/garbled`), {}, OPTIONS)).rejects.toMatchObject({ code: 'DOWNLOAD_ERR_PROTOCOL' });
      await expect(agent.get(new URL(`${raw.url}/lengths`), {}, OPTIONS)).rejects.toThrow('content-length "10, 20"');
    } finally {
      raw.server.close();
    }
  });
});
