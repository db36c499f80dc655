import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** A real forwarding proxy on 127.0.0.1 that records the targets (`host:port`) of the tunnels it opened. */
export interface ConnectProxy {
  /** `http://127.0.0.1:PORT`, what a proxy setting takes. */
  readonly url: string;
  /** Every target tunnelled to, in order. */
  readonly targets: string[];
  /** Stops listening and cuts the open tunnels. */
  close(): Promise<void>;
}

/** Starts a CONNECT proxy (undici's ProxyAgent tunnels http and https alike); any other request is a 405. */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    targets.push(target);
    const [host, port] = target.split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    // A tunnel's sockets leave the HTTP server's hands; kept here so close() can cut them.
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy()).on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
