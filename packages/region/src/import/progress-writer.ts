/**
 * Download progress goes to the file rows (the status strings read it), but a 500 MB/s download reports thousands
 * of chunks a second: keep the latest byte count per blob and write them at most every `intervalMs`, in one batch.
 */
export interface ProgressWriter {
  /** Records the bytes held so far of one blob (called on every chunk; cheap). */
  update(sha256: string, bytes: number): void;
  /** Writes what is pending now and stops the timer. */
  close(): void;
}

export function createProgressWriter(
  write: (bytesBySha256: ReadonlyMap<string, number>) => void,
  intervalMs = 500,
): ProgressWriter {
  let pending = new Map<string, number>();
  const flush = (): void => {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    write(batch);
  };
  const timer = setInterval(flush, intervalMs);
  timer.unref();
  return {
    update(sha256, bytes) {
      pending.set(sha256, bytes);
    },
    close() {
      clearInterval(timer);
      flush();
    },
  };
}
