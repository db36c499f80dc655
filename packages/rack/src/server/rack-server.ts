import { access } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '@bootsync/shared/logging';
import type { RackMetrics } from '../metrics/index.js';
import { CURRENT_LINK } from '../snapshot/index.js';
import { answerFileRequest, closeSilentConnections, connectionLimitOptions, type ConnectionLimits } from '@bootsync/shared/http';
import { openImage } from './image-files.js';

export interface RackServerOptions {
  readonly dataDir: string;
  readonly metrics: RackMetrics;
  readonly logger?: Logger;
  /** Extra readiness checks (e.g. Redis); each resolves true when fine. `/readyz` also needs a published snapshot. */
  readonly readiness?: Readonly<Record<string, () => Promise<boolean>>>;
  /** @defaultValue CONNECTION_LIMITS (10 s to send request headers, 5 s idle keep-alive) */
  readonly limits?: ConnectionLimits;
}

const READ_CHUNK = 1 << 20; // a Node file server needs 1 MiB reads to keep up with nginx

/**
 * The rack's HTTP side: `/images/...` for booting machines (GET, HEAD, Range, ETag) from `current/`, and
 * `/healthz`, `/readyz`, `/metrics`. Fastify gives routing and the shared pino logger; file serving is our own
 * because containment, ETags across snapshots and 1 MiB reads matter more here than a static-file plugin's options.
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
    handler: (request, reply) => serveImage(options.dataDir, request, reply),
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

async function serveImage(dataDir: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const urlPath = request.raw.url?.slice('/images/'.length) ?? '';
  const image = await openImage(dataDir, urlPath);
  if (!image) return reply.code(404).send({ error: 'not found' });
  const { handle, size, etag, modified } = image;
  const answer = answerFileRequest(
    { range: request.headers.range, ifRange: header(request.headers['if-range']), ifNoneMatch: request.headers['if-none-match'] },
    size,
    etag,
  );
  reply.code(answer.status).headers(answer.headers).header('last-modified', modified.toUTCString());
  if (request.method === 'HEAD' || !answer.body) {
    await handle.close();
    return reply.send();
  }
  return reply.send(handle.createReadStream({ ...answer.body, highWaterMark: READ_CHUNK }));
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
