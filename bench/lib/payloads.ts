import { createHash, randomFillSync } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkFreeDisk } from './machine.js';
import { startStaticServer, type StaticServer } from './nginx.js';

export interface BenchFile {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

const BLOCK = 1 << 20;

/** `count` files of `size` random bytes each (1 MiB at a time, so generating them takes little memory). */
async function writeRandomFiles(dir: string, count: number, size: number): Promise<BenchFile[]> {
  const files: BenchFile[] = [];
  for (let i = 0; i < count; i++) {
    const name = `file-${i}.bin`;
    files.push({ name, size, sha256: await writeRandomFile(path.join(dir, name), size) });
  }
  return files;
}

/** A file of `size` random bytes, written 1 MiB at a time; its sha256. */
export async function writeRandomFile(file: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const block = Buffer.allocUnsafe(BLOCK);
  const fh = await open(file, 'w');
  try {
    for (let left = size; left > 0; left -= BLOCK) {
      const chunk = block.subarray(0, Math.min(BLOCK, left));
      randomFillSync(chunk);
      hash.update(chunk);
      await fh.write(chunk);
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/** Command-line options shared by the benchmarks that serve random files (for `parseArgs`). */
export const PAYLOAD_ARGS = {
  files: { type: 'string', default: '4' },
  'size-mib': { type: 'string', default: '256' },
  runs: { type: 'string', default: '3' },
  dir: { type: 'string', default: tmpdir() },
  /** Set by `runAsChild`: the job of a measured child process. */
  child: { type: 'string' },
} as const;

/**
 * `count` random files of `size` bytes in `<work>/src`, served by nginx (or the Node fallback). Refuses to start
 * unless the sources plus one method's copy of them, plus room to breathe, fit on the disk.
 */
export async function serveRandomFiles(work: string, count: number, size: number): Promise<{ files: BenchFile[]; server: StaticServer }> {
  await checkFreeDisk(work, 2.2 * count * size);
  const srcDir = path.join(work, 'src');
  await mkdir(srcDir);
  const files = await writeRandomFiles(srcDir, count, size);
  return { files, server: await startStaticServer(srcDir, work) };
}
