import { closeSync, fstatSync, openSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accelRedirectUri, answerFileRequest, sendFile, type ServingMetrics } from '@bootsync/shared/http';
import { STREAM_PATH } from '@bootsync/shared/rack-protocol';
import { blobRelativePath, type ContentStore } from '@bootsync/shared/store';
import { verifyPlaintextOAuth } from '../api/auth.js';
import type { RegionStream } from '../region-stream/index.js';
import { RACK_TRANSFER_RETRY_AFTER_S, type RackTransferLimit, type RackTransferTurn } from './rack-transfers.js';

/** Who reads the stream: a registered rack, by its name, or a MAAS API user. */
export type StreamReader = { readonly rack: string } | { readonly apiUser: true };

export interface StreamRouteDeps {
  readonly stream: () => Promise<RegionStream>;
  readonly store: Pick<ContentStore, 'pathOf'>;
  /** Who may read: a registered rack (Bearer token) or an API user (MAAS OAuth); undefined refuses with 401. */
  readonly authenticate: (authorization: string | undefined) => Promise<StreamReader | undefined>;
  /** Requests, bytes and responses in flight of the stream (createRegionMetrics().stream). */
  readonly serving?: ServingMetrics;
  /** Behind nginx: blobs are answered `X-Accel-Redirect: <prefix>sha256/<2 hex>/<64 hex>` (under the store) for nginx to send. */
  readonly accelRedirect?: string;
  /**
   * --max-rack-transfers: a rack's GET of a blob beyond it is answered 503 + Retry-After. Not applied behind nginx
   * (accelRedirect), which sends the bytes after the region has answered, so the region never knows when they end.
   */
  readonly rackTransfers?: RackTransferLimit;
}

/**
 * The region stream: `streams/v1/*.json` with ETag / If-None-Match, and the files its items list, served from the
 * region store with Range. Paths are looked up in the stream, never joined onto a directory.
 */
export function registerStreamRoutes(app: FastifyInstance, deps: StreamRouteDeps): void {
  const answered = (code: number): void => deps.serving?.answered(code);
  app.route({
    method: ['GET', 'HEAD'],
    url: `${STREAM_PATH}*`,
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      const reader = await deps.authenticate(request.headers.authorization);
      if (!reader) {
        answered(401);
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'a rack token or an API key is required' });
      }
      const path = (request.params as { '*': string })['*'];
      const stream = await deps.stream();
      const document = stream.documents.get(path);
      if (document) {
        const answer = answerFileRequest({ ifNoneMatch: request.headers['if-none-match'] }, Buffer.byteLength(document.body), document.etag);
        answered(answer.status);
        reply.code(answer.status).headers(answer.headers).header('content-type', 'application/json');
        const body = answer.status === 200 && request.method === 'GET' ? document.body : undefined;
        if (body !== undefined) deps.serving?.handedOver(Buffer.byteLength(body));
        return reply.send(body);
      }
      const file = stream.files.get(path);
      if (!file) {
        answered(404);
        return reply.code(404).send({ error: `not in the region stream: ${path}` });
      }
      let turn: RackTransferTurn | undefined;
      if ('rack' in reader && request.method === 'GET' && deps.rackTransfers && deps.accelRedirect === undefined) {
        // The rack may leave while it waits in line: its place goes to the next.
        const gone = new AbortController();
        reply.raw.once('close', () => gone.abort());
        turn = await deps.rackTransfers.begin(reader.rack, file.sha256, gone.signal);
        if (!turn) {
          answered(503);
          return reply
            .code(503)
            .header('retry-after', String(RACK_TRANSFER_RETRY_AFTER_S))
            .send({ error: 'the region sends as many rack transfers as --max-rack-transfers allows: wait your turn' });
        }
      }
      try {
        return await sendBlob(deps, file.sha256, request, reply);
      } finally {
        turn?.end();
      }
    },
  });
}

async function sendBlob(deps: StreamRouteDeps, sha256: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
  // Opened on the event loop (one system call), not through libuv's threads, where it would wait behind every
  // other response's reads (shared/http sendFile).
  let fd: number;
  try {
    fd = openSync(deps.store.pathOf(sha256), 'r');
  } catch {
    deps.serving?.answered(404);
    return reply.code(404).send({ error: `blob ${sha256} is missing from the region store` });
  }
  const { size } = fstatSync(fd);
  const ifRange = request.headers['if-range'];
  const answer = answerFileRequest(
    { range: request.headers.range, ifRange: Array.isArray(ifRange) ? ifRange[0] : ifRange, ifNoneMatch: request.headers['if-none-match'] },
    size,
    `"${sha256}"`,
  );
  deps.serving?.answered(answer.status);
  if (deps.accelRedirect !== undefined && answer.body && request.method === 'GET') {
    // nginx sends the blob and answers Range / If-Range itself, against this ETag (deploy/nginx/region.conf passes it on).
    closeSync(fd);
    deps.serving?.handedOver(answer.body.end - answer.body.start + 1);
    const redirect = accelRedirectUri(deps.accelRedirect, blobRelativePath(sha256));
    return reply.code(200).headers({ 'x-accel-redirect': redirect, etag: answer.headers.etag!, 'content-type': 'application/octet-stream' }).send();
  }
  reply.hijack();
  await sendFile(reply.raw, fd, answer, { head: request.method === 'HEAD', ...(deps.serving ? { meter: deps.serving.meter } : {}) });
}

/** Accepts an `Authorization: OAuth ...` MAAS API key, given how to look a token key up. */
export async function isApiUser(authorization: string, lookup: Parameters<typeof verifyPlaintextOAuth>[1]): Promise<boolean> {
  try {
    await verifyPlaintextOAuth(authorization, lookup);
    return true;
  } catch {
    return false;
  }
}
