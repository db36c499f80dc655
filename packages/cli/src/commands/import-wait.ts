import { setTimeout as sleep } from 'node:timers/promises';
import type { MaasApiClient } from '../api-client/index.js';
import { importProgress, progressBar } from './import-progress.js';

interface ImportStatus {
  importing: boolean;
  runs: { outcome: string; bytes: number; errors: { item: string; message: string }[] }[];
}

/** Where progress goes: stdout, whose `isTTY` decides between a redrawn bar and plain lines. */
export interface ProgressOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * `boot-resources import --wait`: polls the region until no import is queued or running. On a terminal one line
 * is redrawn as a bar; otherwise a plain line is printed each time the progress changes, for logs.
 * Returns the outcome of the newest run.
 */
export async function waitForImport(
  client: MaasApiClient,
  resourcesPath: string,
  intervalMs: number,
  out: ProgressOutput = process.stdout,
): Promise<string> {
  let last = '';
  for (;;) {
    const status = JSON.parse((await client.call('GET', resourcesPath, { op: 'import_status' })).body) as ImportStatus;
    const resources = JSON.parse((await client.call('GET', resourcesPath)).body) as { status?: string }[];
    const line = progressBar(importProgress(resources.map((r) => r.status ?? '')));
    if (out.isTTY) out.write(`\r\x1b[K${line}`);
    else if (line !== last) out.write(`${line}\n`);
    last = line;
    if (!status.importing) {
      if (out.isTTY) out.write('\n');
      const run = status.runs[0];
      out.write(`Import finished: ${run?.outcome ?? 'unknown'}${run ? `, ${run.bytes} bytes` : ''}\n`);
      for (const e of run?.errors ?? []) out.write(`  ${e.item}: ${e.message}\n`);
      return run?.outcome ?? 'unknown';
    }
    await sleep(intervalMs);
  }
}
