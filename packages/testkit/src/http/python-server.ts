import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** `python3 -m http.server` serving a directory: HTTP/1.0, `Connection: close` after every response. */
export interface PythonFileServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `root` the way many operators serve a quick local mirror. Python binds port 0 itself and prints the port
 * it got, so no other test can take it in between.
 */
export async function startPythonFileServer(root: string): Promise<PythonFileServer> {
  const child = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = / port (\d+) /.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`python3 -m http.server exited (${code}) before listening: ${out}`)));
  });
  // Its access log goes to stderr; keep reading it so a long test never blocks python on a full pipe.
  child.stderr.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
