import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger } from '@bootsync/testkit/logs';
import { waitFor } from '@bootsync/testkit/wait';
import { registerWithRegion } from '@bootsync/shared/rack-protocol';

describe('a rack registering with a region that fails', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it('retries with a jittered backoff, so racks that failed together do not come back together', async () => {
    // A region restarting: every registration answers 503.
    const arrivals = new Map<string, number[]>();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const { name } = JSON.parse(body) as { name: string };
        arrivals.set(name, [...(arrivals.get(name) ?? []), performance.now()]);
        res.writeHead(503).end('starting');
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const regionUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const names = Array.from({ length: 8 }, (_, i) => `rack-${i + 1}`);
    const { logger, lines } = capturingLogger('rack', 'info');
    const stop = new AbortController();
    const racks = names.map((name) =>
      registerWithRegion({ regionUrl, name, secret: 's', secretFile: '/secret', logger, signal: stop.signal }).catch(() => undefined),
    );
    await waitFor('three attempts of every rack', () => names.every((n) => (arrivals.get(n)?.length ?? 0) >= 3), 10_000);
    stop.abort();
    await Promise.all(racks);

    const retries = lines.filter((l) => l.event === 'rack.register.retry');
    const waits = (nth: number): number[] => names.map((n) => retries.filter((l) => l.rack === n)[nth]!.ms as number);
    // 500 ms then 1 s, each less up to half of it at random.
    expect(waits(0).every((ms) => ms >= 250 && ms <= 500), `first waits: ${waits(0).join(', ')}`).toBe(true);
    expect(waits(1).every((ms) => ms >= 500 && ms <= 1_000), `second waits: ${waits(1).join(', ')}`).toBe(true);
    expect(new Set(waits(0)).size).toBeGreaterThan(1);
    // The second attempts reach the region spread out, not in one burst.
    const second = names.map((n) => arrivals.get(n)![1]!);
    expect(Math.max(...second) - Math.min(...second)).toBeGreaterThan(25);
  }, 20_000);
});
