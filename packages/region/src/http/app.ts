import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { closeSilentConnections, connectionLimitOptions, type ConnectionLimits } from '@bootsync/shared/http';
import type { Logger } from '@bootsync/shared/logging';
import { checkReadiness, type ReadinessCheck } from './readiness.js';

/** Adds routes to the app: the MAAS API plugin, the rack endpoints... registered by the composition root. */
export type HttpPart = (app: FastifyInstance) => Promise<void> | void;

export interface HttpAppOptions {
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly readiness: readonly ReadinessCheck[];
  readonly parts?: readonly HttpPart[];
  /** @defaultValue CONNECTION_LIMITS (10 s to send request headers, 5 s idle keep-alive) */
  readonly limits?: ConnectionLimits;
}

/** The region's HTTP server: open /healthz, /readyz and /metrics, then whatever parts the daemon registers. */
export async function createHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Probes hit /healthz and /metrics every few seconds: one log line each would drown the events that matter.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    ...connectionLimitOptions(options.limits),
  });
  closeSilentConnections(app.server, options.limits);

  app.get('/healthz', async () => ({ status: 'alive' }));

  app.get('/readyz', async (_request, reply) => {
    const report = await checkReadiness(options.readiness);
    return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? 'ready' : 'not ready', checks: report.checks });
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await options.metrics.metrics();
    return reply.type(options.metrics.contentType).send(body);
  });

  for (const part of options.parts ?? []) await part(app);
  return app;
}
