import { sep } from 'node:path';

// Apart from dependency-faults.ts, which loads undici: a download thread that never needs undici never loads it.

/** Where the HTTP client's code runs from: undici from node_modules, or the copy bundled in Node (global fetch). */
const HTTP_CLIENT_FRAMES = [`${sep}node_modules${sep}undici${sep}`, 'node:internal/deps/undici/'];

/**
 * True when `err` was thrown inside the HTTP client (its first stack frame is undici's code): a fault of one of its
 * connections, raised from a socket event handler where no caller could catch it (nodejs/undici#5360).
 */
export function isHttpClientFault(err: unknown): boolean {
  if (!(err instanceof Error) || typeof err.stack !== 'string') return false;
  const frame = err.stack.split('\n').find((line) => /^\s+at /.test(line));
  return frame !== undefined && HTTP_CLIENT_FRAMES.some((marker) => frame.includes(marker));
}
