import { Counter, Gauge, type Registry } from 'prom-client';
import type { ServingMeter } from './file-sender.js';

/** A daemon's file serving as Prometheus sees it: requests by status, bytes served, responses in flight. */
export interface ServingMetrics {
  readonly meter: ServingMeter;
  /** One request answered with `code` (counted once, whatever its body). */
  answered(code: number): void;
  /** Bytes of a body nginx sends for us (X-Accel-Redirect) or one written whole at once (a stream document). */
  handedOver(bytes: number): void;
}

/**
 * `<prefix>_requests_total{code}`, `<prefix>_bytes_served_total` and `<prefix>_requests_in_flight` in `registry`;
 * `what` says what is served, for the help texts (e.g. "/images/ files").
 */
export function createServingMetrics(registry: Registry, prefix: string, what: string): ServingMetrics {
  const requests = new Counter({
    name: `${prefix}_requests_total`,
    help: `Requests for ${what}, by HTTP status.`,
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const bytes = new Counter({
    name: `${prefix}_bytes_served_total`,
    help: `Bytes of ${what} sent to clients (behind nginx with --accel-redirect: the bytes handed to nginx to send).`,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: `${prefix}_requests_in_flight`,
    help: `Responses of ${what} whose bodies are being sent by this daemon now.`,
    registers: [registry],
  });
  // Zero-valued from the start, so a dashboard's rate() has a series before the first request.
  requests.inc({ code: '200' }, 0);
  return {
    meter: {
      started: () => inFlight.inc(),
      sent: (n) => bytes.inc(n),
      ended: () => inFlight.dec(),
    },
    answered: (code) => requests.inc({ code: String(code) }),
    handedOver: (n) => bytes.inc(n),
  };
}
