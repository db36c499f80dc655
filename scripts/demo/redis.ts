import { Redis } from 'ioredis';
import { BootsyncError } from '@bootsync/shared/errors';
import { freePort } from '@bootsync/testkit/net';
import { ChildStartError, type Children } from './children.js';

/** No Redis answers and none can be started here: the demo says how to get one and exits 2. */
export class RedisUnavailableError extends BootsyncError {
  constructor(readonly url: string) {
    super(
      'DEMO_REDIS_UNAVAILABLE',
      `No Redis answers at ${withoutPassword(url)}, and redis-server is not installed to start a private one.\n` +
        'Install it with:  sudo apt-get install redis-server\n' +
        'or point the demo at one:  BOOTSYNC_REDIS_URL=redis://HOST:6379 npm run demo',
    );
  }
}

/** A Redis URL as it may be printed: `redis://user:***@host:port`. */
export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.href;
}

export interface DemoRedis {
  readonly url: string;
  /** True when the demo started this Redis itself (it goes away with the demo). */
  readonly private: boolean;
}

/** Whether a Redis answers PING at `url` within a second. */
async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** The Redis at `url` if it answers, else a private `redis-server` on a free port (no persistence, in `dir`). */
export async function findOrStartRedis(url: string, children: Children, dir: string): Promise<DemoRedis> {
  if (await redisAnswers(url)) return { url, private: false };
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  try {
    await children.start('redis', 'redis-server', args, (line) => String(line.msg).includes('Ready to accept connections'));
  } catch (err) {
    if (err instanceof ChildStartError && err.errno === 'ENOENT') throw new RedisUnavailableError(url);
    throw err;
  }
  return { url: `redis://127.0.0.1:${port}`, private: true };
}
