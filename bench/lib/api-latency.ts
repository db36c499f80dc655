import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseApiKey, plaintextOAuthHeader } from '@bootsync/cli/api-client';
import { sh } from './machine.js';

export { percentile } from './latency.js';

const REGION_BIN = fileURLToPath(new URL('../../../packages/region/bin/bootsync-region.js', import.meta.url));
/** How often the API is asked while the import runs (the Images page asks once a second; this is 50 times more). */
const POLL_MS = 20;

export interface ApiDuringImport {
  /** Latency of `GET boot-resources/` while the region imported, in ms, sorted. */
  readonly latencies: readonly number[];
  readonly importMs: number;
  readonly outcome: string;
  /** Peak RSS of the region process (VmHWM), in MB. */
  readonly peakRssMb: number;
}

/**
 * The real `bootsync-region` bin on a fresh data dir, its default source pointing at `sourceUrl` (the default
 * selection: ubuntu/noble amd64), importing on its first start; the MAAS API's boot-resources read (what the Images
 * page polls) is timed every POLL_MS until the import has finished. Its Redis keys are the caller's to delete
 * (`bootsync:region:<id>:*`, the id in `<dataDir>/region-id`).
 */
export async function apiLatencyDuringImport(dataDir: string, sourceUrl: string, keyring: string, redisUrl: string): Promise<ApiDuringImport> {
  // The key first (it makes the data dir), so the API is asked from the moment the region listens.
  const key = parseApiKey((await sh(`'${process.execPath}' '${REGION_BIN}' apikey --data-dir '${dataDir}' 2>/dev/null`)).trim().split('\n')[0] ?? '');
  const region = spawn(
    process.execPath,
    [REGION_BIN, '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--redis-url', redisUrl, '--default-source-url', sourceUrl, '--default-keyring', keyring],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BOOTSYNC_LOG_LEVEL: 'info' } },
  );
  const events: Record<string, unknown>[] = [];
  let rest = '';
  region.stdout.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  const find = (event: string): Record<string, unknown> | undefined => events.find((e) => e.event === event);
  try {
    const started = await until(() => find('region.started'), region.pid);
    const url = `${String(started.url)}/MAAS/api/2.0/boot-resources/`;
    const latencies: number[] = [];
    let peakKb = 0;
    while (!find('import.finished')) {
      const t = performance.now();
      const res = await fetch(url, { headers: { authorization: plaintextOAuthHeader(key) } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`boot-resources read: HTTP ${res.status}`);
      if (find('import.started')) latencies.push(performance.now() - t);
      peakKb = Math.max(peakKb, await vmHwmKb(region.pid));
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    peakKb = Math.max(peakKb, await vmHwmKb(region.pid));
    const finished = find('import.finished') ?? {};
    return { latencies: latencies.sort((a, b) => a - b), importMs: Number(finished.ms), outcome: String(finished.outcome), peakRssMb: Math.round(peakKb / 1024) };
  } finally {
    region.kill('SIGTERM');
    await new Promise((r) => region.once('exit', r));
  }
}

async function until<T>(check: () => T | undefined, pid: number | undefined): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = check();
    if (value !== undefined) return value;
    if (pid === undefined) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the region did not start within 30 s');
}

async function vmHwmKb(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}
