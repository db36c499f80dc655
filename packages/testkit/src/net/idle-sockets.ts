import { connect, type Socket } from 'node:net';

const BATCH = 200;

/** Connections opened to a server, and when the server closed each of them. */
export interface IdleSockets {
  /** Connections still open. */
  open(): number;
  /** How long each connection the server closed was open, from its connect to its close, in ms. */
  readonly closedAfterMs: readonly number[];
  /** Destroys the ones still open. */
  destroy(): void;
}

/**
 * Opens `count` TCP connections to `url`'s host and port and sends `send` on each (nothing by default: a client
 * that connects and never speaks), as a slowloris or a crowd of stuck clients would.
 */
export async function openIdleSockets(url: string, count: number, send = ''): Promise<IdleSockets> {
  const { hostname, port } = new URL(url);
  const sockets: Socket[] = [];
  const closedAfterMs: number[] = [];
  const one = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      let connectedAt = 0;
      const socket = connect(Number(port), hostname, () => {
        connectedAt = performance.now();
        if (send !== '') socket.write(send);
        resolve();
      });
      socket.on('error', reject);
      socket.on('close', () => closedAfterMs.push(performance.now() - connectedAt));
      socket.resume();
      sockets.push(socket);
    });
  // In batches: thousands of connects at once overflow the server's accept queue (backlog 511), and a connection
  // the server never accepted is not one it holds.
  for (let opened = 0; opened < count; opened += BATCH) {
    await Promise.all(Array.from({ length: Math.min(BATCH, count - opened) }, one));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return {
    open: () => sockets.filter((s) => !s.destroyed && !s.readableEnded).length,
    closedAfterMs,
    destroy: () => sockets.forEach((s) => s.destroy()),
  };
}
