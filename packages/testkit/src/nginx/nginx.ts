import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository's deploy/nginx/: the configurations tests and benchmarks run (rack.conf, region.conf). */
export const DEPLOY_NGINX_DIR = fileURLToPath(new URL('../../../../deploy/nginx/', import.meta.url));

/** A value of a deployed configuration that a test must change (a data dir, a port), and its test value. */
export type Substitution = readonly [production: string, test: string];

export interface NginxInstance {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** The master's process id (its workers are its children). */
  readonly pid: number;
  /** What nginx wrote on stderr (its error log). */
  log(): string;
  /** SIGTERM (nginx's fast shutdown: open transfers are cut), then waits for the exit. */
  close(): Promise<void>;
}

/** The nginx binary (Debian's nginx-light: /usr/sbin/nginx), or undefined when none is installed. */
export function findNginx(): { readonly bin: string; readonly version: string } | undefined {
  for (const bin of ['/usr/sbin/nginx', 'nginx']) {
    const r = spawnSync(bin, ['-v'], { encoding: 'utf8' });
    if (r.status === 0) return { bin, version: (r.stderr.trim().split('/')[1] ?? '').split(' ')[0] ?? '' };
  }
  return undefined;
}

/** What deploy/nginx/<front>.conf holds that a test must change: the data dir, the daemon's port, nginx's port. */
const DEPLOYED = {
  rack: { dataDir: '/var/lib/bootsync/rack/', daemonPort: 5249, port: 5248 },
  region: { dataDir: '/var/lib/bootsync/region/', daemonPort: 5241, port: 5240 },
} as const;

/** deploy/nginx/`front`.conf's values for a daemon whose data dir is `dataDir`, listening on `daemonPort`, nginx on `port`. */
export function frontSubstitutions(front: keyof typeof DEPLOYED, dataDir: string, daemonPort: number, port: number): Substitution[] {
  const deployed = DEPLOYED[front];
  return [
    [deployed.dataDir, `${dataDir}/`],
    [`server 127.0.0.1:${deployed.daemonPort};`, `server 127.0.0.1:${daemonPort};`],
    [`listen ${deployed.port};`, `listen 127.0.0.1:${port};`],
    [`listen [::]:${deployed.port};`, `listen [::1]:${port};`],
  ];
}

/**
 * Runs nginx with a configuration of deploy/nginx/ (`rack.conf`), only the values a test must change substituted
 * (each must occur in the file, so a renamed path fails loudly), under a prefix of its own in `workDir`, as the
 * invoking user (the test's files are private to it). Resolves once it accepts connections on `port`.
 */
export async function startNginx(config: string, workDir: string, port: number, substitutions: readonly Substitution[]): Promise<NginxInstance> {
  const nginx = findNginx();
  if (!nginx) throw new Error('nginx is not installed: apt-get install nginx-light (.ci/run installs it)');
  let text = await readFile(join(DEPLOY_NGINX_DIR, config), 'utf8');
  for (const [production, test] of substitutions) {
    if (!text.includes(production)) throw new Error(`deploy/nginx/${config} no longer holds ${production}`);
    text = text.split(production).join(test);
  }
  const prefix = join(workDir, `nginx-${config.replace(/\W/g, '-')}-${port}`);
  await mkdir(prefix, { recursive: true });
  const file = join(prefix, config);
  await writeFile(file, text);
  // `user` only matters when nginx starts as root (CI): its workers then read the test's private dirs as we do.
  const child = spawn(nginx.bin, ['-p', `${prefix}/`, '-c', file, '-g', `user ${userInfo().username};`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit');
  const instance: NginxInstance = {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    log: () => stderr,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
  for (const deadline = Date.now() + 10_000; ; await sleep(50)) {
    if (child.exitCode !== null) throw new Error(`nginx -c ${file} exited with ${child.exitCode}: ${stderr}`);
    if (await accepts(port)) return instance;
    if (Date.now() > deadline) {
      await instance.close();
      throw new Error(`nginx -c ${file} did not listen on ${port} within 10 s: ${stderr}`);
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
