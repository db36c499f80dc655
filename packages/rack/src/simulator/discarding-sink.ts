import { ContentHasher, findMismatch, SizeMismatchError, type BlobSink, type ExpectedContent, type PartialFile, type StoredBlob } from '@bootsync/shared/store';

/**
 * Where a simulated rack's downloads go: every byte is hashed and counted as a rack's store would, the file is
 * verified (size, checksums) the same way, and then the bytes are dropped; only which blobs the rack "holds"
 * is kept. A thousand racks in one process need no disk.
 */
export class DiscardingSink implements BlobSink {
  readonly #held = new Map<string, number>();

  async has(sha256: string): Promise<boolean> {
    return this.#held.has(sha256);
  }

  async size(sha256: string): Promise<number | undefined> {
    return this.#held.get(sha256);
  }

  async ensureFreeSpace(): Promise<void> {}

  async partial(expected: ExpectedContent): Promise<PartialFile> {
    return new DiscardingPartial(expected, (sha256, size) => this.#held.set(sha256, size));
  }

  /** Forgets the blobs a new snapshot no longer needs, as a real rack's prune removes them. */
  keepOnly(wanted: ReadonlySet<string>): void {
    for (const sha256 of this.#held.keys()) if (!wanted.has(sha256)) this.#held.delete(sha256);
  }
}

/** A partial "file" in memory: an offset, a validator and a running hash; resumed like a real one after a cut. */
class DiscardingPartial implements PartialFile {
  readonly key = 'discarded';
  readonly path = '';
  #offset = 0;
  #validator: string | undefined;
  #hasher: ContentHasher;

  constructor(
    private readonly expected: ExpectedContent,
    private readonly stored: (sha256: string, size: number) => void,
  ) {
    this.#hasher = new ContentHasher(expected.checksums);
  }

  get offset(): number {
    return this.#offset;
  }

  get validator(): string | undefined {
    return this.#validator;
  }

  async setValidator(validator: string | undefined): Promise<void> {
    this.#validator = validator;
  }

  async append(chunk: Uint8Array): Promise<void> {
    this.push(chunk);
  }

  push(chunk: Uint8Array): undefined {
    this.#hasher.update(chunk);
    this.#offset += chunk.byteLength;
    return undefined;
  }

  async restart(): Promise<void> {
    this.#hasher = new ContentHasher(this.expected.checksums);
    this.#offset = 0;
    this.#validator = undefined;
  }

  async finalize(): Promise<StoredBlob> {
    const { size, ref, source } = this.expected;
    if (size !== undefined && size !== this.#offset) throw new SizeMismatchError(ref, size, this.#offset, source);
    const digests = this.#hasher.digest();
    const mismatch = findMismatch(digests, this.expected);
    if (mismatch) throw mismatch;
    const sha256 = digests.get('sha256') as string;
    this.stored(sha256, this.#offset);
    return { sha256, size: this.#offset, path: '' };
  }

  async close(): Promise<void> {}

  async discard(): Promise<void> {
    await this.restart();
  }
}
