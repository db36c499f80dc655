import { Worker } from 'node:worker_threads';
import { partialKey, type ContentStore } from '../store/index.js';
import { reportWorkerFault } from './dependency-faults.js';
import { DownloadWorkerError } from './errors.js';
import type { Transfers, TransferSettings } from './local-transfers.js';
import type { FileOutcome, FileRequest } from './types.js';
import { fromWire } from './wire-error.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

/** A worker left without a file for this long is stopped: a rack between syncs holds no idle thread. */
const IDLE_MS = 10_000;
/** How long close() waits for a worker to close its connections before stopping it. */
const CLOSE_MS = 2_000;

interface Job {
  readonly request: FileRequest;
  readonly progress: (bytes: number) => void;
  readonly resolve: (outcome: FileOutcome) => void;
}

interface Thread {
  readonly worker: Worker;
  readonly jobs: Map<number, Job>;
  idleTimer?: NodeJS.Timeout;
  closed?: () => void;
  exited?: boolean;
}

/**
 * Transfers on worker threads (transfer-worker.ts), each with its own connections and a handle on the same store:
 * receiving, hashing and writing spread over the cores, and the process's event loop (the region's API) stays free.
 * Threads start with the first files and stop when idle; a file goes to the least busy one. Files with the same
 * content never run at once in two threads (the store's own lock is per thread).
 */
export class WorkerTransfers implements Transfers {
  readonly #init: WorkerInit;
  readonly #threads: number;
  readonly #idleMs: number;
  readonly #running: Thread[] = [];
  readonly #contents = new Map<string, Promise<unknown>>();
  #nextId = 1;

  constructor(store: ContentStore, settings: TransferSettings, threads: number, idleMs = IDLE_MS) {
    this.#init = { storeRoot: store.root, fsync: store.fsync, settings };
    this.#threads = threads;
    this.#idleMs = idleMs;
  }

  async fetch(request: FileRequest, signal: AbortSignal | undefined, progress: (bytes: number) => void): Promise<FileOutcome> {
    const key = contentKey(request);
    while (this.#contents.has(key)) await this.#contents.get(key)?.catch(() => undefined);
    const running = this.#run(request, signal, progress);
    this.#contents.set(key, running);
    try {
      return await running;
    } finally {
      this.#contents.delete(key);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#running.splice(0).map((thread) => this.#stop(thread)));
  }

  #run(request: FileRequest, signal: AbortSignal | undefined, progress: (bytes: number) => void): Promise<FileOutcome> {
    const thread = this.#pick();
    const id = this.#nextId++;
    return new Promise<FileOutcome>((resolve) => {
      const abort = (): void => send(thread, { type: 'abort', id });
      signal?.addEventListener('abort', abort, { once: true });
      thread.jobs.set(id, {
        request,
        progress,
        resolve: (outcome) => {
          signal?.removeEventListener('abort', abort);
          resolve(outcome);
        },
      });
      clearTimeout(thread.idleTimer);
      thread.worker.ref();
      send(thread, { type: 'fetch', id, request });
      if (signal?.aborted) abort();
    });
  }

  /** The least busy thread, or a new one while fewer than `threads` run and all have work. */
  #pick(): Thread {
    const least = this.#running.reduce<Thread | undefined>((best, t) => (best === undefined || t.jobs.size < best.jobs.size ? t : best), undefined);
    if (least && (least.jobs.size === 0 || this.#running.length >= this.#threads)) return least;
    const thread = this.#start();
    this.#running.push(thread);
    return thread;
  }

  #start(): Thread {
    const worker = new Worker(workerUrl(), { workerData: this.#init });
    const thread: Thread = { worker, jobs: new Map() };
    worker.on('message', (message: FromWorker) => this.#message(thread, message));
    // A thread that died fails its files (they resume from their partials next time); the next file starts another.
    const lost = (cause: unknown): void => {
      thread.exited = true;
      this.#forget(thread);
      for (const [id, job] of thread.jobs) {
        thread.jobs.delete(id);
        job.resolve({ ok: false, request: job.request, error: new DownloadWorkerError(job.request.url, job.request.ref, cause) });
      }
      thread.closed?.();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`download thread exited with code ${code}`)));
    return thread;
  }

  #message(thread: Thread, message: FromWorker): void {
    if (message.type === 'progress') thread.jobs.get(message.id)?.progress(message.bytes);
    else if (message.type === 'fault') reportWorkerFault(fromWire(message.error), message.pools);
    else if (message.type === 'closed') thread.closed?.();
    else {
      const job = thread.jobs.get(message.id);
      if (!job) return;
      thread.jobs.delete(message.id);
      const { outcome } = message;
      job.resolve(outcome.ok ? { ...outcome, request: job.request } : { ok: false, request: job.request, error: fromWire(outcome.error) });
      if (thread.jobs.size === 0) this.#idle(thread);
    }
  }

  /** No file left: the thread no longer keeps the process alive, and stops after the idle time. */
  #idle(thread: Thread): void {
    thread.worker.unref();
    thread.idleTimer = setTimeout(() => {
      this.#forget(thread);
      void this.#stop(thread);
    }, this.#idleMs).unref();
  }

  #forget(thread: Thread): void {
    clearTimeout(thread.idleTimer);
    const at = this.#running.indexOf(thread);
    if (at >= 0) this.#running.splice(at, 1);
  }

  /** Asks the thread to close its connections, then stops it (at once if it does not answer). */
  async #stop(thread: Thread): Promise<void> {
    clearTimeout(thread.idleTimer);
    if (thread.exited) return;
    // Waiting for its answer must keep the process alive (an idle thread was unref'd).
    thread.worker.ref();
    const closed = new Promise<void>((resolve) => (thread.closed = resolve));
    send(thread, { type: 'close' });
    const timer = setTimeout(() => thread.closed?.(), CLOSE_MS).unref();
    await closed;
    clearTimeout(timer);
    await thread.worker.terminate();
  }
}

function send(thread: Thread, message: ToWorker): void {
  thread.worker.postMessage(message);
}

function contentKey(request: FileRequest): string {
  try {
    return partialKey({ checksums: request.checksums });
  } catch {
    return `url:${request.url}`;
  }
}

/**
 * The worker's script. Under vitest this module is its TypeScript source, which a worker thread cannot load: the
 * worker then runs the built file beside the sources (`tsc -b` first, as `npm test` does).
 */
function workerUrl(): URL {
  if (import.meta.url.endsWith('.ts')) return new URL('../../dist/download/transfer-worker.js', import.meta.url);
  return new URL('./transfer-worker.js', import.meta.url);
}
