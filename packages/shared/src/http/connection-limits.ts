import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** How long a client may hold a connection of a daemon's HTTP server without a request to show for it. */
export interface ConnectionLimits {
  /** From connecting (or from the first byte of a later request) to complete request headers. */
  readonly headersTimeoutMs: number;
  /** From the first byte to the whole request, body included (the response, a long download, is not bounded). */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection between requests. */
  readonly keepAliveTimeoutMs: number;
}

export const CONNECTION_LIMITS: ConnectionLimits = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Node's default; fastify's 72 s suits a load balancer in front, not racks and booting machines.
  keepAliveTimeoutMs: 5_000,
});

/** Fastify server options applying `limits` (Node checks them every second rather than every 30 s). */
export function connectionLimitOptions(limits: ConnectionLimits = CONNECTION_LIMITS) {
  return {
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
  };
}

const waiting = new WeakMap<Socket, NodeJS.Timeout>();

/**
 * Closes a connection that has not sent complete request headers `headersTimeoutMs` after connecting. Node's own
 * headersTimeout only starts with the first byte, so a connection that sends nothing would stay open for good
 * (2000 of them did, for minutes). Once a request arrives the bound is lifted: a long download is never cut, and
 * later requests on the connection are Node's (headersTimeout, keepAliveTimeout).
 */
export function closeSilentConnections(server: Server, limits: ConnectionLimits = CONNECTION_LIMITS): void {
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), limits.headersTimeoutMs);
    timer.unref();
    waiting.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  server.on('request', (request: { socket: Socket }) => {
    const timer = waiting.get(request.socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    waiting.delete(request.socket);
  });
}
