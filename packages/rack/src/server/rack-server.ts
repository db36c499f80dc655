import { closeSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '@bootsync/shared/logging';
import type { RackMetrics } from '../metrics/index.js';
import { CURRENT_LINK } from '../snapshot/index.js';
import {
  accelRedirectUri,
  answerFileRequest,
  closeSilentConnections,
  connectionLimitOptions,
  sendFile,
  type ConnectionLimits,
  type ServingMetrics,
} from '@bootsync/shared/http';
import { imageFiles, type ImageFiles } from './image-files.js';

export interface RackServerOptions {
  readonly dataDir: string;
  readonly metrics: RackMetrics;
  readonly logger?: Logger;
  /** Extra readiness checks (e.g. Redis); each resolves true when fine. `/readyz` also needs a published snapshot. */
  readonly readiness?: Readonly<Record<string, () => Promise<boolean>>>;
  /** @defaultValue CONNECTION_LIMITS (10 s to send request headers, 5 s idle keep-alive) */
  readonly limits?: ConnectionLimits;
  /** Behind nginx: `/images/` answers `X-Accel-Redirect: <prefix><snapshot>/<path>` (under the data dir) instead of the bytes. */
  readonly accelRedirect?: string;
}

/**
 * The rack's HTTP side: `/images/...` for booting machines (GET, HEAD, Range, ETag) from `current/`, and
 * `/healthz`, `/readyz`, `/metrics`. Fastify gives routing and the shared pino logger; file serving is our own
 * (shared/http sendFile) because containment, ETags across snapshots and reused 1 MiB reads matter more here than a
 * static-file plugin's options.
 */
export function createRackServer(options: RackServerOptions): FastifyInstance {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : {}),
    ...connectionLimitOptions(options.limits),
  });
  closeSilentConnections(app.server, options.limits);
  app.route({
    method: ['GET', 'HEAD'],
    url: '/images/*',
    exposeHeadRoute: false,
    handler: serveImages(imageFiles(options.dataDir), options.metrics.serving, options.accelRedirect),
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, boolean> = {
      snapshot: await access(join(options.dataDir, CURRENT_LINK)).then(() => true, () => false),
    };
    for (const [name, check] of Object.entries(options.readiness ?? {})) checks[name] = await check().catch(() => false);
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ ready, checks });
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
  return app;
}

function serveImages(open: ImageFiles, serving: ServingMetrics, accelRedirect: string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> => {
    const image = open(request.raw.url?.slice('/images/'.length) ?? '');
    if (!image) {
      serving.answered(404);
      return reply.code(404).send({ error: 'not found' });
    }
    const { fd, size, etag, modified } = image;
    const answer = answerFileRequest(
      { range: request.headers.range, ifRange: header(request.headers['if-range']), ifNoneMatch: request.headers['if-none-match'] },
      size,
      etag,
    );
    serving.answered(answer.status);
    const lastModified = modified.toUTCString();
    if (accelRedirect !== undefined && answer.body && request.method === 'GET') {
      // nginx opens this snapshot's file and answers the Range itself, with the same ETag (fileEtag is nginx's).
      closeSync(fd);
      serving.handedOver(answer.body.end - answer.body.start + 1);
      const redirect = accelRedirectUri(accelRedirect, image.dataPath);
      return reply.code(200).header('x-accel-redirect', redirect).header('content-type', 'application/octet-stream').send();
    }
    reply.hijack();
    await sendFile(reply.raw, fd, answer, { head: request.method === 'HEAD', headers: { 'last-modified': lastModified }, meter: serving.meter });
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
