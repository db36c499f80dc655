import { open, readFile, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { InsufficientSpaceError, SizeMismatchError } from './errors.js';
import { BatchedWriter, type Writeback } from './batched-writer.js';
import { availableBytes } from './free-space.js';
import { ContentHasher, findMismatch } from './hashing.js';
import type { ExpectedContent, PartialFile, StoredBlob } from './types.js';

/** Moves a verified file into its final place; provided by the store. */
export type Publish = (file: string, sha256: string, size: number) => Promise<StoredBlob>;

interface OpenArgs {
  readonly dir: string;
  readonly key: string;
  readonly expected: ExpectedContent;
  readonly publish: Publish;
  /** Lets the next writer of the same key in; called once the file handle is closed. */
  readonly release: () => void;
  readonly fsync: boolean;
  /** Early writeback while the file is being written (only with fsync). */
  readonly writeback?: Writeback;
}

interface PartialMeta {
  readonly validator?: string;
}

const REHASH_CHUNK = 1 << 20;

/**
 * `<dir>/<key>.part` plus `<key>.meta.json` (the validator). The hash state is not persisted: on resume the
 * bytes already on disk are hashed again, lazily, only when new bytes actually follow them.
 */
export class PartialFileHandle implements PartialFile {
  readonly key: string;
  readonly path: string;
  readonly #metaPath: string;
  readonly #expected: ExpectedContent;
  readonly #publish: Publish;
  readonly #release: () => void;
  readonly #fsync: boolean;
  #fh: FileHandle | undefined;
  #writer: BatchedWriter | undefined;
  #offset: number;
  #validator: string | undefined;
  #hasher: ContentHasher | undefined;

  private constructor(args: OpenArgs & { fh: FileHandle; offset: number; validator: string | undefined }) {
    this.key = args.key;
    this.path = path.join(args.dir, `${args.key}.part`);
    this.#metaPath = path.join(args.dir, `${args.key}.meta.json`);
    this.#expected = args.expected;
    this.#publish = args.publish;
    this.#release = args.release;
    this.#fsync = args.fsync;
    this.#fh = args.fh;
    this.#writer = new BatchedWriter(args.fh, args.fsync ? args.writeback : undefined);
    this.#offset = args.offset;
    this.#validator = args.validator;
  }

  static async open(args: OpenArgs): Promise<PartialFileHandle> {
    const file = path.join(args.dir, `${args.key}.part`);
    const fh = await open(file, 'a+');
    const { size } = await fh.stat();
    const validator = size > 0 ? await readValidator(path.join(args.dir, `${args.key}.meta.json`)) : undefined;
    return new PartialFileHandle({ ...args, fh, offset: size, validator });
  }

  get offset(): number {
    return this.#offset;
  }

  get validator(): string | undefined {
    return this.#validator;
  }

  async setValidator(validator: string | undefined): Promise<void> {
    this.#validator = validator;
    const meta: PartialMeta = validator === undefined ? {} : { validator };
    await this.#writing(() => writeFile(this.#metaPath, JSON.stringify(meta)));
  }

  async append(chunk: Uint8Array): Promise<void> {
    await this.push(chunk);
  }

  push(chunk: Uint8Array): Promise<void> | undefined {
    const out = this.#out();
    // Only the first chunk after opening a resumed partial waits for the bytes on disk to be hashed again.
    if (!this.#hasher) return this.#hashed().then((hasher) => this.#take(hasher, out, chunk));
    return this.#take(this.#hasher, out, chunk);
  }

  #take(hasher: ContentHasher, out: BatchedWriter, chunk: Uint8Array): Promise<void> | undefined {
    hasher.update(chunk);
    this.#offset += chunk.byteLength;
    const wait = out.write(chunk);
    return wait && this.#writing(() => wait);
  }

  async restart(): Promise<void> {
    const out = this.#out();
    await this.#writing(() => out.drain());
    await this.#handle().truncate(0);
    this.#offset = 0;
    this.#hasher = undefined;
    await this.setValidator(undefined);
  }

  async finalize(): Promise<StoredBlob> {
    const fh = this.#handle();
    const hasher = await this.#hashed();
    const out = this.#out();
    await this.#writing(() => out.drain());
    const size = this.#offset;
    if (this.#fsync) await this.#writing(() => fh.sync());
    // The partial stays this writer's until it is published or gone: a gc or a next writer never meets it half-moved.
    try {
      await this.#closeHandle({ keepLock: true });
      const expectedSize = this.#expected.size;
      if (expectedSize !== undefined && expectedSize !== size) {
        await this.#removeFiles();
        throw new SizeMismatchError(this.#expected.ref, expectedSize, size, this.#expected.source);
      }
      const digests = hasher.digest();
      const mismatch = findMismatch(digests, this.#expected);
      if (mismatch) {
        await this.#removeFiles();
        throw mismatch;
      }
      // checksumsToVerify always includes sha256, the blob's address.
      const sha256 = digests.get('sha256') as string;
      const blob = await this.#publish(this.path, sha256, size);
      await rm(this.#metaPath, { force: true });
      return blob;
    } finally {
      this.#release();
    }
  }

  async close(): Promise<void> {
    await this.#closeHandle();
  }

  async discard(): Promise<void> {
    await this.#closeHandle();
    await this.#removeFiles();
  }

  /** Runs a write; a full file system (ENOSPC, EDQUOT) becomes the store's typed error naming the item. */
  async #writing<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (!isOutOfSpace(err)) throw err;
      const available = await availableBytes(path.dirname(this.path)).catch(() => 0);
      // What the partial holds, not #offset: the batch that failed is counted there but not in the file.
      const kept = await stat(this.path).then((s) => s.size, () => 0);
      const size = this.#expected.size;
      throw new InsufficientSpaceError(this.path, size === undefined ? undefined : size - kept, available, this.#expected.ref, { cause: err });
    }
  }

  #handle(): FileHandle {
    if (!this.#fh) throw new Error(`partial ${this.path} is already closed`);
    return this.#fh;
  }

  #out(): BatchedWriter {
    if (!this.#writer) throw new Error(`partial ${this.path} is already closed`);
    return this.#writer;
  }

  /** Closes the file and lets the next writer in, unless `keepLock`: then the caller releases once it is done. */
  async #closeHandle({ keepLock = false } = {}): Promise<void> {
    const fh = this.#fh;
    const writer = this.#writer;
    if (!fh || !writer) return;
    this.#fh = undefined;
    this.#writer = undefined;
    try {
      // Bytes received before a close are kept: they are the next attempt's head start.
      await writer.drain().catch(() => undefined);
      await fh.close();
    } finally {
      if (!keepLock) this.#release();
    }
  }

  async #removeFiles(): Promise<void> {
    await rm(this.path, { force: true });
    await rm(this.#metaPath, { force: true });
  }

  /** The hasher, fed first with the bytes already on disk when resuming. */
  async #hashed(): Promise<ContentHasher> {
    const fh = this.#handle();
    if (this.#hasher) return this.#hasher;
    const hasher = new ContentHasher(this.#expected.checksums);
    const buf = Buffer.allocUnsafe(Math.min(REHASH_CHUNK, Math.max(this.#offset, 1)));
    for (let pos = 0; pos < this.#offset; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, this.#offset - pos), pos);
      if (bytesRead === 0) break;
      hasher.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    this.#hasher = hasher;
    return hasher;
  }
}

function isOutOfSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

async function readValidator(metaPath: string): Promise<string | undefined> {
  try {
    const meta = JSON.parse(await readFile(metaPath, 'utf8')) as PartialMeta;
    return typeof meta.validator === 'string' ? meta.validator : undefined;
  } catch {
    // No readable meta: without a validator a resume cannot be made safe with If-Range; callers start over.
    return undefined;
  }
}
