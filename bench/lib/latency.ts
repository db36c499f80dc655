import { request } from 'undici';

/** The value below which `p` of the sorted values lie. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/**
 * GETs `url` every `everyMs` (one request at a time, kept alive) until `stop()`, which resolves with each time to the
 * response's headers in ms, sorted: how promptly a server starts answering while it serves something else.
 */
export function probeLatency(url: string, everyMs: number, headers: Readonly<Record<string, string>> = {}): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const t = performance.now();
      const res = await request(url, { headers });
      latencies.push(performance.now() - t);
      await res.body.dump();
      if (res.statusCode >= 300) throw new Error(`${url}: HTTP ${res.statusCode}`);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return latencies.sort((a, b) => a - b);
    },
  };
}
