import { createServer, type AddressInfo } from 'node:net';

/**
 * A TCP port of 127.0.0.1 that was free a moment ago (bound, then released): for a daemon that must come back on
 * the same port, a private redis-server, or a URL where nothing listens.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
export { openIdleSockets, type IdleSockets } from './idle-sockets.js';
export { pausedGet, type PausedGet } from './paused-get.js';
