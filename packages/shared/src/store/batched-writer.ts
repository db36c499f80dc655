import type { FileHandle } from 'node:fs/promises';

/** Bytes gathered before one `writev`: fewer thread-pool round trips than one write per network chunk. */
const BATCH_BYTES = 1 << 20;

/**
 * Appends to a file in batches, one batch in flight while the next one fills, so receiving and writing
 * overlap and memory stays at about two batches per file.
 */
export class BatchedWriter {
  readonly #fh: FileHandle;
  #batch: Uint8Array[] = [];
  #batchBytes = 0;
  #inFlight: Promise<void> = Promise.resolve();

  constructor(fh: FileHandle) {
    this.#fh = fh;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.#batch.push(chunk);
    this.#batchBytes += chunk.byteLength;
    if (this.#batchBytes >= BATCH_BYTES) await this.#flush();
  }

  /** Everything written so far is in the file (not necessarily on disk: fsync is the caller's). */
  async drain(): Promise<void> {
    await this.#flush();
    await this.#inFlight;
  }

  /** Waits for the previous batch (the backpressure), then starts writing this one. */
  async #flush(): Promise<void> {
    await this.#inFlight;
    if (this.#batchBytes === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    this.#batchBytes = 0;
    this.#inFlight = writeFully(this.#fh, batch);
    // Handled now, thrown by the next write or drain: a failed write (ENOSPC) while the caller waits on the network
    // must not become an unhandled rejection, which ends the process.
    this.#inFlight.catch(() => undefined);
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
