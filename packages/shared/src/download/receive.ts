import { finished, type Readable } from 'node:stream';

/** Takes one chunk; returns a promise when the next chunk must wait for it (backpressure). */
export type ChunkSink = (chunk: Buffer) => Promise<void> | undefined;

/**
 * Feeds a body to `sink` with 'data' events, pausing the body while the sink catches up. Resolves once the body has
 * ended and the sink took the last chunk; rejects with the body's error or the sink's (and destroys the body).
 * Cheaper per chunk than `for await`, which costs a promise and a closure per network chunk (~16,000 per GB).
 */
export function receive(body: Readable, sink: ChunkSink): Promise<void> {
  return new Promise((resolve, reject) => {
    let waiting: Promise<void> | undefined;
    const fail = (err: unknown): void => {
      body.destroy();
      reject(err);
    };
    body.on('data', (chunk: Buffer) => {
      try {
        waiting = sink(chunk);
      } catch (err) {
        fail(err);
        return;
      }
      if (!waiting) return;
      body.pause();
      waiting.then(() => {
        waiting = undefined;
        body.resume();
      }, fail);
    });
    // finished() also settles on a close without 'end' or 'error' (a connection cut under a paused body), which
    // 'end'/'error' listeners alone would wait on forever.
    finished(body, (err) => {
      if (err) reject(err);
      else if (waiting) waiting.then(resolve, reject);
      else resolve();
    });
  });
}

/** How often progress is reported while bytes flow: often enough for a live bar, rarely enough to cost nothing. */
const PROGRESS_INTERVAL_MS = 100;

/** Reports the bytes on disk at most every PROGRESS_INTERVAL_MS, and once more at the end (`flush`). */
export class ThrottledProgress {
  readonly #report: (bytes: number) => void;
  #last = 0;
  #reported = -1;

  constructor(report: (bytes: number) => void) {
    this.#report = report;
  }

  report(bytes: number): void {
    const now = performance.now();
    if (now - this.#last < PROGRESS_INTERVAL_MS) return;
    this.#last = now;
    this.#send(bytes);
  }

  flush(bytes: number): void {
    if (bytes !== this.#reported) this.#send(bytes);
  }

  #send(bytes: number): void {
    this.#reported = bytes;
    this.#report(bytes);
  }
}
