import { spawnSync, execFile } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

export interface FileDigest {
  readonly sha256: string;
  readonly size: number;
}

const CHUNK = 1 << 20;

/**
 * Writes `size` deterministic pseudo-random bytes (AES-256-CTR keystream keyed by `seed`): the same seed always
 * gives the same file, different seeds never share content. Written chunk by chunk, so gigabyte payloads for
 * benchmarks never sit in memory.
 */
export async function writePayload(file: string, seed: string, size: number): Promise<FileDigest> {
  await mkdir(dirname(file), { recursive: true });
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(Math.min(CHUNK, size));
  const hash = createHash('sha256');
  const handle = await open(file, 'w');
  try {
    for (let left = size; left > 0; left -= CHUNK) {
      const chunk = cipher.update(left >= CHUNK ? zeros : zeros.subarray(0, left));
      hash.update(chunk);
      await handle.write(chunk);
    }
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), size };
}

const run = promisify(execFile);
let tarXz: boolean | undefined;

/** GNU tar with xz, so bootloader archives can be real ones a rack unpacks. */
function canWriteTarXz(): boolean {
  tarXz ??= spawnSync('tar', ['--version']).status === 0 && spawnSync('xz', ['--version']).status === 0;
  return tarXz;
}

/**
 * Writes a real `.tar.xz` holding `members` (each `memberSize` pseudo-random bytes), reproducible byte for byte
 * (fixed mtime, owner and order). Falls back to plain pseudo-random bytes where tar or xz is missing.
 */
export async function writeArchive(file: string, seed: string, members: readonly string[], memberSize: number): Promise<FileDigest> {
  if (!canWriteTarXz()) return writePayload(file, seed, memberSize);
  const work = await mkdtemp(join(tmpdir(), 'bootsync-archive-'));
  try {
    for (const member of members) await writePayload(join(work, member), `${seed}/${member}`, memberSize);
    await mkdir(dirname(file), { recursive: true });
    const flags = ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--format=gnu'];
    await run('tar', [...flags, '-cJf', file, '-C', work, ...members], { env: { ...process.env, XZ_OPT: '-T1' } });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const bytes = await readFile(file);
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}
