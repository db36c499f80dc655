import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { assertSha256, blobRelativePath, partialKey } from './digest.js';
import { BlobNotFoundError } from './errors.js';
import { ensureFreeSpace } from './free-space.js';
import type { Writeback } from './batched-writer.js';
import { PartialFileHandle } from './partial-file.js';
import type { ContentStoreOptions, ExpectedContent, GcOptions, GcResult, PartialFile, StoredBlob } from './types.js';

const READ_CHUNK = 1 << 20;
/** A partial's written bytes are flushed to disk every so often, so its final fsync does not wait for all of them. */
const WRITEBACK_BYTES = 32 << 20;
const SHA256_NAME = /^[0-9a-f]{64}$/;
const PREFIX_NAME = /^[0-9a-f]{2}$/;
/** A partial's data or meta file, keyed by sha256 (the only key gc can match against what is wanted). */
const SHA256_PARTIAL_NAME = /^(sha256-([0-9a-f]{64}))\.(?:part|meta\.json)$/;
/** A partial of `unaddressedPartial`: named for one call, so nothing resumes it once that call is gone. */
const UPLOAD_PARTIAL_NAME = /^(upload-[0-9a-f-]{36})\.(?:part|meta\.json)$/;

/**
 * The partials being written in this process, by path, for every store: the region's uploads and its imports each
 * have a ContentStore of the same root, and one's gc must see what the other is writing.
 */
const PARTIAL_LOCKS = new Map<string, Promise<void>>();

/**
 * Blobs addressed by sha256. A blob exists only once complete and verified: bytes go into a partial file,
 * are hashed on the way, and are renamed into `sha256/<2 hex>/<64 hex>` after the checks pass.
 */
export class ContentStore {
  readonly root: string;
  readonly #partialDir: string;
  readonly #fsync: boolean;
  #writebackBusy = false;
  /**
   * One early writeback at a time for the whole store: each holds a libuv pool thread until the disk is done, and
   * the pool's other threads must stay free for the writes themselves.
   */
  readonly #writeback: Writeback = {
    everyBytes: WRITEBACK_BYTES,
    start: (fh) => {
      if (this.#writebackBusy) return undefined;
      this.#writebackBusy = true;
      return fh.datasync().finally(() => {
        this.#writebackBusy = false;
      });
    },
  };

  constructor(options: ContentStoreOptions) {
    this.root = path.resolve(options.root);
    this.#partialDir = path.join(this.root, 'partial');
    this.#fsync = options.fsync ?? true;
  }

  /** Whether blobs are fsynced before they count as stored (ContentStoreOptions.fsync). */
  get fsync(): boolean {
    return this.#fsync;
  }

  /** Where the blob lives (or would live); throws `InvalidDigestError` for anything but a sha256 hex digest. */
  pathOf(sha256: string): string {
    return path.join(this.root, blobRelativePath(sha256));
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== undefined;
  }

  /** The blob's size in bytes, or undefined when it is not stored. */
  async size(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** A stream of the blob's bytes; `start` and `end` are inclusive byte offsets, as in `fs.createReadStream`. */
  async open(sha256: string, range: { start?: number; end?: number } = {}): Promise<Readable> {
    const file = this.pathOf(sha256);
    try {
      const fh = await open(file, 'r');
      return fh.createReadStream({ ...range, highWaterMark: READ_CHUNK });
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(sha256, file);
      throw err;
    }
  }

  /** Hashes the blob again: false when its bytes no longer match its name (disk corruption, tampering). */
  async verify(sha256: string): Promise<boolean> {
    const hash = createHash('sha256');
    for await (const chunk of await this.open(sha256)) hash.update(chunk as Buffer);
    return hash.digest('hex') === sha256;
  }

  /**
   * Moves a blob whose bytes went bad out of the store, to `<root>/quarantine/<sha256>` (one per digest, the latest),
   * so nothing serves it again and an operator can still look at it. Returns where it went, or undefined when the
   * blob was not stored.
   */
  async quarantine(sha256: string): Promise<string | undefined> {
    const from = this.pathOf(sha256);
    const dir = path.join(this.root, 'quarantine');
    await mkdir(dir, { recursive: true });
    const to = path.join(dir, sha256);
    try {
      await rename(from, to);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    return to;
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** Digests of every stored blob. */
  async list(): Promise<string[]> {
    const base = path.join(this.root, 'sha256');
    const prefixes = await readdirIfExists(base);
    const out: string[] = [];
    for (const prefix of prefixes.filter((p) => PREFIX_NAME.test(p)).sort()) {
      const names = await readdirIfExists(path.join(base, prefix));
      out.push(...names.filter((n) => SHA256_NAME.test(n) && n.startsWith(prefix)).sort());
    }
    return out;
  }

  /**
   * Deletes every blob not in `live`. Partial files are the next download's head start: they are kept, unless the
   * caller names the files still wanted (`wantedPartials`), and then only the partials of wanted items are, with
   * those of `unaddressedPartial` that nothing in this process writes (left by a crash; nothing can resume them).
   */
  async gc(live: ReadonlySet<string>, options: GcOptions = {}): Promise<GcResult> {
    const removed: string[] = [];
    let bytes = 0;
    for (const sha256 of await this.list()) {
      if (live.has(sha256)) continue;
      const size = (await this.size(sha256)) ?? 0;
      await this.remove(sha256);
      removed.push(sha256);
      bytes += size;
    }
    const wanted = options.wantedPartials;
    const partials = new Set<string>();
    const unwanted = wanted ? (await readdirIfExists(this.#partialDir)).map((name) => [name, unwantedPartialKey(name, live, wanted)] as const) : [];
    for (const [name, key] of unwanted) {
      if (!key || PARTIAL_LOCKS.has(this.#lockId(key))) continue;
      // Held while deleting, so no writer of this process opens the partial meanwhile.
      const release = await this.#lock(key);
      try {
        const file = path.join(this.#partialDir, name);
        bytes += (await stat(file).catch(() => undefined))?.size ?? 0;
        await rm(file, { force: true });
        partials.add(key);
      } finally {
        release();
      }
    }
    return { removed, partials: [...partials].sort(), bytes };
  }

  /** Throws `InsufficientSpaceError` (needed, available, path) when the store's file system lacks `bytes`. */
  async ensureFreeSpace(bytes: number): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await ensureFreeSpace(this.root, bytes);
  }

  /**
   * The partial file for an item, named after its strongest checksum so it survives restarts. Only one
   * handle per item is open at a time in this process; a second caller waits until the first lets go.
   */
  async partial(expected: ExpectedContent): Promise<PartialFile> {
    return this.#openPartial(partialKey(expected), expected);
  }

  /**
   * A partial for bytes whose digest nobody knows beforehand (an image posted whole): hashed on the way and
   * published under the sha256 they turn out to have. Its name is unique to the call, so it cannot be resumed; a
   * caller that knows the digest uses `partial` instead.
   */
  async unaddressedPartial(): Promise<PartialFile> {
    return this.#openPartial(`upload-${randomUUID()}`, { checksums: {} });
  }

  async #openPartial(key: string, expected: ExpectedContent): Promise<PartialFile> {
    await mkdir(this.#partialDir, { recursive: true });
    const release = await this.#lock(key);
    try {
      return await PartialFileHandle.open({
        dir: this.#partialDir,
        key,
        expected,
        publish: (file, sha256, size) => this.#publish(file, sha256, size),
        release,
        fsync: this.#fsync,
        writeback: this.#writeback,
      });
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Stores bytes read from a stream, verified like a download. Any earlier partial of the item is dropped. */
  async importFrom(source: AsyncIterable<Uint8Array>, expected: ExpectedContent): Promise<StoredBlob> {
    const partial = await this.partial(expected);
    try {
      await partial.restart();
      for await (const chunk of source) await partial.append(chunk);
    } catch (err) {
      await partial.close();
      throw err;
    }
    return partial.finalize();
  }

  /** Stores a local file (copied, verified); a blob already stored under the expected sha256 is returned as is. */
  async putFile(file: string, expected: ExpectedContent): Promise<StoredBlob> {
    const known = expected.checksums.sha256?.toLowerCase();
    if (known) {
      const size = await this.size(assertSha256(known));
      if (size !== undefined) return { sha256: known, size, path: this.pathOf(known) };
    }
    return this.importFrom(createReadStream(file, { highWaterMark: READ_CHUNK }), { source: file, ...expected });
  }

  async #publish(file: string, sha256: string, size: number): Promise<StoredBlob> {
    const dest = this.pathOf(sha256);
    const dir = path.dirname(dest);
    const created = await mkdir(dir, { recursive: true });
    await rename(file, dest);
    if (this.#fsync) {
      // The blob's directory holds the rename; a directory created just now must itself be recorded by its parent.
      const last = created === undefined ? dir : path.dirname(created);
      for (let d = dir; ; d = path.dirname(d)) {
        await fsyncDir(d);
        if (d === last || d === path.dirname(d)) break;
      }
    }
    return { sha256, size, path: dest };
  }

  #lockId(key: string): string {
    return path.join(this.#partialDir, key);
  }

  /** One writer per partial inside this process; the next one waits, then usually finds the blob done. */
  async #lock(key: string): Promise<() => void> {
    const id = this.#lockId(key);
    while (PARTIAL_LOCKS.has(id)) await PARTIAL_LOCKS.get(id);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = () => {
        PARTIAL_LOCKS.delete(id);
        resolve();
      };
    });
    PARTIAL_LOCKS.set(id, held);
    return release;
  }
}

/** The key of a partial gc may delete: one of an item neither live nor wanted, or of an upload posted whole. */
function unwantedPartialKey(name: string, live: ReadonlySet<string>, wanted: ReadonlySet<string>): string | undefined {
  const upload = UPLOAD_PARTIAL_NAME.exec(name)?.[1];
  if (upload) return upload;
  const [, key, sha256] = SHA256_PARTIAL_NAME.exec(name) ?? [];
  return key && sha256 && !live.has(sha256) && !wanted.has(sha256) ? key : undefined;
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function readdirIfExists(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === 'ENOENT';
}
