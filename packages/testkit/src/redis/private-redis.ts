import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { freePort } from '../net/index.js';
import { eventually } from '../wait/index.js';

export interface PrivateRedis {
  readonly url: string;
  /** Kills it (SIGKILL) and starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** Kills it (SIGKILL); a no-op once it is gone. */
  stop(): Promise<void>;
}

/** A private `redis-server` that keeps nothing on disk, so a restart loses every key, schedulers included. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await eventually(async () => {
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG' ? true : undefined;
      } catch {
        return undefined;
      } finally {
        probe.disconnect();
      }
    }, 10_000, `redis-server on port ${port}`);
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, restart: async () => { await stop(); await start(); }, stop };
}
