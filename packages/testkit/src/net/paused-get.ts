import { connect } from 'node:net';

/** A GET that reads its first bytes and then stops reading, so the server is left mid-body. */
export interface PausedGet {
  /** Resolves once the first bytes arrived (the socket then reads no more). */
  readonly started: Promise<void>;
  /** Reads the rest until the server closes: the response head and whatever body came. */
  finish(): Promise<{ readonly head: string; readonly body: Buffer }>;
}

/** GETs `url` over a raw socket (`Connection: close`), reading the first bytes only until `finish()`. */
export function pausedGet(url: string): PausedGet {
  const { hostname, port, pathname } = new URL(url);
  const socket = connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  let paused = true;
  let started!: () => void;
  const startedP = new Promise<void>((resolve) => (started = resolve));
  // A cut connection is an answer too (a short body): 'close' ends the read either way.
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    if (!paused) return;
    socket.pause();
    started();
  });
  socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
  return {
    started: startedP,
    async finish() {
      paused = false;
      socket.resume();
      await closed;
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      return { head: all.subarray(0, end).toString(), body: all.subarray(end + 4) };
    },
  };
}
