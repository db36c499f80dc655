import { open } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerFileRequest } from '@bootsync/shared/http';
import { STREAM_PATH } from '@bootsync/shared/rack-protocol';
import type { ContentStore } from '@bootsync/shared/store';
import { verifyPlaintextOAuth } from '../api/auth.js';
import type { RegionStream } from '../region-stream/index.js';

const READ_CHUNK = 1 << 20;

export interface StreamRouteDeps {
  readonly stream: () => RegionStream;
  readonly store: Pick<ContentStore, 'pathOf'>;
  /** Who may read: a registered rack (Bearer token) or an API user (MAAS OAuth); false refuses with 401. */
  readonly authenticate: (authorization: string | undefined) => boolean;
}

/**
 * The region stream: `streams/v1/*.json` with ETag / If-None-Match, and the files its items list, served from the
 * region store with Range. Paths are looked up in the stream, never joined onto a directory.
 */
export function registerStreamRoutes(app: FastifyInstance, deps: StreamRouteDeps): void {
  app.route({
    method: ['GET', 'HEAD'],
    url: `${STREAM_PATH}*`,
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      if (!deps.authenticate(request.headers.authorization)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'a rack token or an API key is required' });
      }
      const path = (request.params as { '*': string })['*'];
      const stream = deps.stream();
      const document = stream.documents.get(path);
      if (document) {
        const answer = answerFileRequest({ ifNoneMatch: request.headers['if-none-match'] }, Buffer.byteLength(document.body), document.etag);
        reply.code(answer.status).headers(answer.headers).header('content-type', 'application/json');
        return reply.send(answer.status === 200 && request.method === 'GET' ? document.body : undefined);
      }
      const file = stream.files.get(path);
      if (!file) return reply.code(404).send({ error: `not in the region stream: ${path}` });
      return sendBlob(deps.store.pathOf(file.sha256), file.sha256, request, reply);
    },
  });
}

async function sendBlob(blobPath: string, sha256: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const handle = await open(blobPath, 'r').catch(() => undefined);
  if (!handle) return reply.code(404).send({ error: `blob ${sha256} is missing from the region store` });
  const { size } = await handle.stat();
  const ifRange = request.headers['if-range'];
  const answer = answerFileRequest(
    { range: request.headers.range, ifRange: Array.isArray(ifRange) ? ifRange[0] : ifRange, ifNoneMatch: request.headers['if-none-match'] },
    size,
    `"${sha256}"`,
  );
  reply.code(answer.status).headers(answer.headers);
  if (request.method === 'HEAD' || !answer.body) {
    await handle.close();
    return reply.send();
  }
  return reply.send(handle.createReadStream({ ...answer.body, highWaterMark: READ_CHUNK }));
}

/** Accepts an `Authorization: OAuth ...` MAAS API key, given how to look a token key up. */
export function isApiUser(authorization: string, lookup: Parameters<typeof verifyPlaintextOAuth>[1]): boolean {
  try {
    verifyPlaintextOAuth(authorization, lookup);
    return true;
  } catch {
    return false;
  }
}
