import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startMisbehavingServer } from '@bootsync/testkit/http';
import { freePort } from '@bootsync/testkit/net';
import { findNginx } from '@bootsync/testkit/nginx';

/** A static file server for benchmarks. */
export interface StaticServer {
  readonly url: string;
  /** `nginx 1.22.1` or `node (1 MiB reads)`. */
  readonly kind: string;
  /** nginx's master process (its workers are its children); undefined for the Node server. */
  readonly pid?: number;
  close(): Promise<void>;
}

/**
 * nginx when installed (its own config, prefix and free port in `workDir`; `workers` worker processes, 1 unless
 * said), else the testkit's Node server.
 */
export async function startStaticServer(root: string, workDir: string, workers: number | 'auto' = 1): Promise<StaticServer> {
  const nginx = findNginx();
  if (!nginx) {
    const server = await startMisbehavingServer({ root });
    return { url: server.url, kind: 'node static server (1 MiB reads)', close: () => server.close() };
  }
  return startNginx(nginx, root, workDir, workers);
}

async function startNginx(nginx: { bin: string; version: string }, root: string, workDir: string, workers: number | 'auto'): Promise<StaticServer> {
  const prefix = path.join(workDir, `nginx-${path.basename(root)}`);
  await mkdir(prefix, { recursive: true });
  const port = await freePort();
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `${t}_temp_path ${path.join(prefix, t)};`)
    .join('\n  ');
  const conf = path.join(prefix, 'nginx.conf');
  await writeFile(
    conf,
    // Workers run as the invoking user: the files sit in a private (0700) temp dir.
    `daemon off;
user ${userInfo().username};
worker_processes ${workers};
pid ${path.join(prefix, 'nginx.pid')};
error_log ${path.join(prefix, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  ${temp}
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }
}
`,
  );
  const child = spawn(nginx.bin, ['-p', prefix, '-c', conf, '-e', path.join(prefix, 'error.log')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}; see ${prefix}/error.log`);
    if (await fetch(`${url}/`).then(() => true, () => false)) break;
    await sleep(100);
  }
  return {
    url,
    kind: `nginx ${nginx.version}`,
    pid: child.pid!,
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGQUIT');
      await exited;
    },
  };
}
