import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { sh, timed } from './machine.js';

/** A file the baselines fetch: its path under the server's URL and the sha256 it must have. */
export interface CurlFile {
  readonly urlPath: string;
  readonly sha256: string;
}

export type CurlBaseline = 'curl -o' | 'curl | tee | sha256sum';

/**
 * One run of each curl baseline on `files` into `out`, its time pushed to `times`. `out` is emptied before each
 * and once more after, ready for bootsync's turn on the same run.
 */
export async function timeCurlBaselines(
  baseUrl: string,
  files: readonly CurlFile[],
  out: string,
  times: Record<CurlBaseline, number[]>,
): Promise<void> {
  await freshDir(out);
  times['curl -o'].push((await timed(() => curlOut(baseUrl, files, out))).ms);
  await freshDir(out);
  times['curl | tee | sha256sum'].push((await timed(() => curlTeeSha(baseUrl, files, out))).ms);
  await freshDir(out);
}

async function freshDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  // Earlier runs' dirty pages must not be written back on the next run's clock.
  await sh('sync');
}

async function curlOut(baseUrl: string, files: readonly CurlFile[], outDir: string): Promise<void> {
  for (const [i, f] of files.entries()) await sh(`curl -fsS -o '${path.join(outDir, String(i))}' '${baseUrl}/${f.urlPath}'`);
}

async function curlTeeSha(baseUrl: string, files: readonly CurlFile[], outDir: string): Promise<void> {
  for (const [i, f] of files.entries()) {
    const sum = await sh(`curl -fsS '${baseUrl}/${f.urlPath}' | tee '${path.join(outDir, String(i))}' | sha256sum`);
    if (!sum.startsWith(f.sha256)) throw new Error(`curl|tee|sha256sum: wrong sha256 for ${f.urlPath}: ${sum}`);
  }
}
