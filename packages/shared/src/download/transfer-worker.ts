import { parentPort, workerData } from 'node:worker_threads';
import { ContentStore } from '../store/index.js';
import { isHttpClientFault } from './http-client-fault.js';
import { LocalTransfers } from './local-transfers.js';
import type { FileRequest } from './types.js';
import type { FromWorker, ToWorker, WireOutcome, WorkerInit } from './worker-protocol.js';
import { toWire } from './wire-error.js';

// A download thread: fetches the files it is sent into the same store as the Downloader that started it, with
// its own connections, so receiving, hashing and writing use another core than the process's event loop.
const port = parentPort;
if (!port) throw new Error('transfer-worker.js runs as a worker thread of a Downloader');
const init = workerData as WorkerInit;
const transfers = new LocalTransfers(new ContentStore({ root: init.storeRoot, fsync: init.fsync }), init.settings);
const running = new Map<number, AbortController>();
const post = (message: FromWorker): void => port.postMessage(message);

// A fault of the HTTP client in this thread is confined to its connections, as in the daemons' main thread; any
// other uncaught error ends this thread only, and the Downloader fails its files and starts another.
process.on('uncaughtException', (err) => {
  if (!isHttpClientFault(err)) throw err;
  // undici is loaded here only if a download needed it, and then its pools module is too.
  void import('./connection-pools.js').then(({ resetAllConnectionPools }) => post({ type: 'fault', error: toWire(err), pools: resetAllConnectionPools(err) }));
});

port.on('message', (message: ToWorker) => {
  if (message.type === 'abort') running.get(message.id)?.abort();
  else if (message.type === 'close') void transfers.close().finally(() => post({ type: 'closed' }));
  else void fetch(message.id, message.request);
});

async function fetch(id: number, request: FileRequest): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  const outcome = await transfers.fetch(request, controller.signal, (bytes) => post({ type: 'progress', id, bytes }));
  running.delete(id);
  const wire: WireOutcome = outcome.ok
    ? { ok: true, sha256: outcome.sha256, bytes: outcome.bytes, resumedFrom: outcome.resumedFrom, fetched: outcome.fetched }
    : { ok: false, error: toWire(outcome.error) };
  post({ type: 'done', id, outcome: wire });
}
