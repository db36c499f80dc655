import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A small tmpfs of the test's own: a disk that really fills up, without touching the machine's. */
export interface Tmpfs {
  readonly dir: string;
  /** Grows (or shrinks) the file system in place; files stay. */
  resize(bytes: number): Promise<void>;
  /** Remounts it read-only (EROFS for every write) or read-write again; files stay. */
  readOnly(on: boolean): Promise<void>;
  unmount(): Promise<void>;
}

/** Mounts a tmpfs of `bytes`, or answers why it cannot (not root, no mount in a container): the caller skips. */
export async function mountTmpfs(bytes: number): Promise<Tmpfs | { readonly refused: string }> {
  const parent = await mkdtemp(join(tmpdir(), 'bootsync-tmpfs-'));
  const dir = join(parent, 'fs');
  await mkdir(dir);
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]);
  } catch (err) {
    await rm(parent, { recursive: true, force: true });
    return { refused: `mount -t tmpfs is not permitted here: ${(err as Error).message.trim()}` };
  }
  return {
    dir,
    resize: async (size) => void (await run('mount', ['-o', `remount,size=${size}`, dir])),
    readOnly: async (on) => void (await run('mount', ['-o', `remount,${on ? 'ro' : 'rw'}`, dir])),
    async unmount() {
      await run('umount', [dir]);
      await rm(parent, { recursive: true, force: true });
    },
  };
}
