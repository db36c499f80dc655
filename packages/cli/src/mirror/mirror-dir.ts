import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, rmdir, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { BootsyncError } from '@bootsync/shared/errors';
import type { MirrorErrorCode } from '../errors/index.js';
import { locate } from '@bootsync/shared/source';
import { MirrorLockedError } from './errors.js';
import { EMPTY_STATE, type MirrorState } from './mirror-plan.js';

/** Where the mirror keeps its own files, inside the mirror so renames into place never cross a file system. */
export const STATE_DIR = '.bootsync-mirror';

/** The state file is not what this program wrote. */
export class MirrorStateError extends BootsyncError<MirrorErrorCode> {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super('MIRROR_ERR_STATE', `${file}: ${reason}; move it away to rebuild the state (files already there are verified, not fetched again)`);
  }
}

/** The mirror directory: its paths, its state, its lock, and the atomic ways files land in it. */
export class MirrorDir {
  readonly root: string;
  readonly stateDir: string;
  readonly storeRoot: string;
  readonly #tmp: string;
  readonly #stateFile: string;
  readonly #lockFile: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.stateDir = path.join(this.root, STATE_DIR);
    this.storeRoot = path.join(this.stateDir, 'store');
    this.#tmp = path.join(this.stateDir, 'tmp');
    this.#stateFile = path.join(this.stateDir, 'state.json');
    this.#lockFile = path.join(this.stateDir, 'lock');
  }

  /** The file system path of a stream path (checked to stay inside the mirror). */
  pathOf(relPath: string): string {
    return locate({ kind: 'path', dir: this.root }, relPath);
  }

  /** Why a stream path may not be used for an item, or undefined. */
  reservedReason(relPath: string): string | undefined {
    return relPath === STATE_DIR || relPath.startsWith(`${STATE_DIR}/`) ? `the mirror's own ${STATE_DIR}/` : undefined;
  }

  /** Takes the directory for this process; a second mirror run on it is refused while this one lives. */
  async lock(): Promise<() => Promise<void>> {
    await mkdir(this.#tmp, { recursive: true });
    for (let attempt = 0; ; attempt += 1) {
      try {
        const fh = await open(this.#lockFile, 'wx');
        await fh.writeFile(String(process.pid));
        await fh.close();
        return () => rm(this.#lockFile, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      }
      const pid = Number((await readFile(this.#lockFile, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new MirrorLockedError(this.root, pid);
      // Left by a run that was killed: nobody holds it.
      await rm(this.#lockFile, { force: true });
    }
  }

  async readState(): Promise<MirrorState> {
    let text: string;
    try {
      text = await readFile(this.#stateFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_STATE;
      throw err;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new MirrorStateError(this.#stateFile, 'not JSON');
    }
    if (!isState(value)) throw new MirrorStateError(this.#stateFile, 'not a mirror state');
    return value;
  }

  async writeState(state: MirrorState): Promise<void> {
    await this.writeFile(this.#stateFile, `${JSON.stringify(state)}\n`);
  }

  /** Writes a whole file under a temporary name, fsyncs it and renames it into place: readers see old or new. */
  async writeFile(file: string, content: string | Uint8Array): Promise<void> {
    const tmp = this.#tmpName();
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await this.moveIn(tmp, file);
  }

  /** Renames a complete file over `file` (creating its directories): never a partial file at that path. */
  async moveIn(from: string, file: string): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    await rename(from, file);
  }

  /** Puts a second name on a complete file: a hard link, or a copy where the file system has none. */
  async copyIn(from: string, file: string): Promise<void> {
    const tmp = this.#tmpName();
    try {
      await link(from, tmp);
    } catch {
      await copyFile(from, tmp);
    }
    await this.moveIn(tmp, file);
  }

  /** Deletes a file and the directories it leaves empty, up to the mirror root. */
  async remove(relPath: string): Promise<void> {
    const file = this.pathOf(relPath);
    await rm(file, { force: true });
    for (let dir = path.dirname(file); dir !== this.root && dir.startsWith(this.root); dir = path.dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break; // not empty (or gone): the directories above are not empty either
      }
    }
  }

  /** Makes the renames into these directories durable. */
  async syncDirs(dirs: Iterable<string>): Promise<void> {
    await Promise.all(
      [...new Set(dirs)].map(async (dir) => {
        const fh = await open(dir, 'r');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      }),
    );
  }

  /** Leftovers of a killed run's temporary files. */
  async clearTmp(): Promise<void> {
    await rm(this.#tmp, { recursive: true, force: true });
    await mkdir(this.#tmp, { recursive: true });
  }

  #tmpName(): string {
    return path.join(this.#tmp, `${process.pid}-${randomBytes(6).toString('hex')}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isState(value: unknown): value is MirrorState {
  if (typeof value !== 'object' || value === null) return false;
  const { files, documents, selection } = value as Record<string, unknown>;
  if (selection !== undefined && !isSelection(selection)) return false;
  if (!Array.isArray(documents) || !documents.every((d) => typeof d === 'string')) return false;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) return false;
  return Object.values(files).every(
    (f: unknown) => typeof f === 'object' && f !== null && typeof (f as { size?: unknown }).size === 'number' && typeof (f as { key?: unknown }).key === 'string',
  );
}

function isSelection(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { filters, max } = value as Record<string, unknown>;
  return Array.isArray(filters) && filters.every((f) => typeof f === 'string') && (max === undefined || typeof max === 'number');
}
