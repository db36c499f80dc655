import { getGlobalDispatcher, setGlobalDispatcher, Agent } from 'undici';
import type { Logger } from '../logging/index.js';
import { resetAllConnectionPools } from './connection-pools.js';
import { isHttpClientFault } from './http-client-fault.js';

export { isHttpClientFault } from './http-client-fault.js';

/**
 * A daemon's last line of defence against what a server makes a dependency do. An exception thrown inside the HTTP
 * client is confined to the connections it was handling: every connection pool of the process is replaced
 * (downloads in flight retry from their partial files, document reads within their retry budget) and the daemon
 * goes on, logging `download.dependency_fault`. Anything else leaves the process in a state no one knows:
 * `onFatal` logs it and the process exits 1, for systemd to restart it (imports resume from their partials).
 * Returns a function that removes the handler (tests).
 */
export function containDependencyFaults(logger: Logger, onFatal: (err: unknown) => void): () => void {
  const logFault = (err: unknown, pools: number): void =>
    void logger.error({ event: 'download.dependency_fault', err, pools }, 'the HTTP client failed inside a connection; connections reset, downloads retry');
  workerFaults = logFault;
  const handler = (err: unknown): void => {
    if (!isHttpClientFault(err)) {
      onFatal(err);
      process.exit(1);
    }
    const pools = resetAllConnectionPools(err);
    const global = getGlobalDispatcher();
    setGlobalDispatcher(new Agent());
    global.destroy().catch(() => undefined);
    logFault(err, pools);
  };
  process.on('uncaughtException', handler);
  return () => {
    process.off('uncaughtException', handler);
    if (workerFaults === logFault) workerFaults = undefined;
  };
}

/** Where the download threads' faults are logged: set by containDependencyFaults in a daemon's main thread. */
let workerFaults: ((err: unknown, pools: number) => void) | undefined;

/** A download thread met a fault of the HTTP client and replaced its own pools (transfer-worker.ts). */
export function reportWorkerFault(err: unknown, pools: number): void {
  workerFaults?.(err, pools);
}
