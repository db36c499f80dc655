import { createHash, randomFillSync } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';

export interface BenchFile {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

const BLOCK = 1 << 20;

/** `count` files of `size` random bytes each (1 MiB at a time, so generating them takes little memory). */
export async function writeRandomFiles(dir: string, count: number, size: number): Promise<BenchFile[]> {
  const files: BenchFile[] = [];
  const block = Buffer.allocUnsafe(BLOCK);
  for (let i = 0; i < count; i++) {
    const name = `file-${i}.bin`;
    const hash = createHash('sha256');
    const fh = await open(path.join(dir, name), 'w');
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
    files.push({ name, size, sha256: hash.digest('hex') });
  }
  return files;
}
