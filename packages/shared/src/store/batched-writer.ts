import type { FileHandle } from 'node:fs/promises';

/** Bytes gathered before one `writev`: fewer thread-pool round trips than one write per network chunk. */
const BATCH_BYTES = 1 << 20;

/** Starts the file's writeback every so many bytes, so the final fsync finds little left to write. */
export interface Writeback {
  readonly everyBytes: number;
  /** Flushes the file's written bytes to disk (fdatasync); undefined when not now (try again after the next batch). */
  readonly start: (fh: FileHandle) => Promise<void> | undefined;
}

/**
 * Appends to a file in batches, one batch in flight while the next one fills, so receiving and writing
 * overlap and memory stays at about two batches per file. `write` is synchronous unless the caller must wait:
 * a network body pushes tens of thousands of chunks per GB, and a promise per chunk is measurable.
 */
export class BatchedWriter {
  readonly #fh: FileHandle;
  readonly #writeback: Writeback | undefined;
  #batch: Uint8Array[] = [];
  #batchBytes = 0;
  #inFlight: Promise<void> = Promise.resolve();
  #busy = false;
  /** The first failed write (ENOSPC...), thrown by the next write or drain. */
  #failure: { readonly error: unknown } | undefined;
  #unsynced = 0;
  #syncing: Promise<void> | undefined;

  constructor(fh: FileHandle, writeback?: Writeback) {
    this.#fh = fh;
    this.#writeback = writeback;
  }

  /** Queues a chunk. Returns a promise to wait for before the next chunk when a full batch waits for the one in flight. */
  write(chunk: Uint8Array): Promise<void> | undefined {
    if (this.#failure) return Promise.reject(this.#failure.error);
    this.#batch.push(chunk);
    this.#batchBytes += chunk.byteLength;
    if (this.#batchBytes < BATCH_BYTES) return undefined;
    if (!this.#busy) {
      this.#start();
      return undefined;
    }
    return this.#flush();
  }

  /** Everything written so far is in the file (not necessarily on disk: fsync is the caller's). */
  async drain(): Promise<void> {
    await this.#flush();
    while (this.#busy) await this.#inFlight;
    await this.#syncing;
    if (this.#failure) throw this.#failure.error;
  }

  /** Waits for the batch in flight (the backpressure), then starts writing the gathered one. */
  async #flush(): Promise<void> {
    while (this.#busy) await this.#inFlight;
    if (this.#failure) throw this.#failure.error;
    if (this.#batchBytes > 0) this.#start();
  }

  #start(): void {
    const batch = this.#batch;
    const bytes = this.#batchBytes;
    this.#batch = [];
    this.#batchBytes = 0;
    this.#busy = true;
    // Never rejects: a failure is kept and thrown by the next write or drain, so a failed write while the caller
    // waits on the network cannot become an unhandled rejection, which ends the process.
    this.#inFlight = writeFully(this.#fh, batch).then(
      () => {
        this.#busy = false;
        this.#wroteBack(bytes);
      },
      (error: unknown) => {
        this.#busy = false;
        this.#failure ??= { error };
      },
    );
  }

  #wroteBack(bytes: number): void {
    const writeback = this.#writeback;
    if (!writeback) return;
    this.#unsynced += bytes;
    if (this.#syncing || this.#unsynced < writeback.everyBytes) return;
    const started = writeback.start(this.#fh);
    if (!started) return;
    this.#unsynced = 0;
    this.#syncing = started.then(
      () => {
        this.#syncing = undefined;
      },
      (error: unknown) => {
        this.#syncing = undefined;
        this.#failure ??= { error };
      },
    );
  }
}

async function writeFully(fh: FileHandle, buffers: Uint8Array[]): Promise<void> {
  const total = buffers.reduce((sum, b) => sum + b.byteLength, 0);
  let { bytesWritten } = await fh.writev(buffers);
  // Regular files take a writev whole; the rest is only for the rare short write.
  if (bytesWritten < total) {
    const rest = Buffer.concat(buffers).subarray(bytesWritten);
    for (let at = 0; at < rest.length; at += bytesWritten) ({ bytesWritten } = await fh.write(rest, at));
  }
}
