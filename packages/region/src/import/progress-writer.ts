/**
 * Download progress goes to the file rows (the status strings read it), but a 500 MB/s download reports thousands
 * of chunks a second: keep the latest byte count per blob and write them at most every `intervalMs`, in one batch.
 */
export interface ProgressWriter {
  /** Records the bytes held so far of one blob (called on every chunk; cheap). */
  update(sha256: string, bytes: number): void;
  /** Stops the timer and writes what is pending, after the batch being written; throws a write that failed. */
  close(): Promise<void>;
}

export function createProgressWriter(
  write: (bytesBySha256: ReadonlyMap<string, number>) => Promise<void>,
  intervalMs = 500,
): ProgressWriter {
  let pending = new Map<string, number>();
  let writing: Promise<void> | undefined;
  let failed: { err: unknown } | undefined;
  const flush = (): Promise<void> => {
    if (pending.size === 0) return Promise.resolve();
    const batch = pending;
    pending = new Map();
    return write(batch).catch((err: unknown) => {
      failed ??= { err };
    });
  };
  const timer = setInterval(() => {
    // A batch still being written when the next is due: this tick waits for the next one (the counts keep).
    writing ??= flush().finally(() => (writing = undefined));
  }, intervalMs);
  timer.unref();
  return {
    update(sha256, bytes) {
      pending.set(sha256, bytes);
    },
    async close() {
      clearInterval(timer);
      await writing;
      await flush();
      if (failed) throw failed.err;
    },
  };
}
