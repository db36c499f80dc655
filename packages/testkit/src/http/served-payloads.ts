import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMisbehavingServer, type MisbehavingServer } from './misbehaving-server.js';
import { writePayload, type PayloadFile } from './payload.js';

/** Random payload files in a temp dir, served by a misbehaving server; `close()` stops it and removes the dir. */
export interface ServedPayloads {
  readonly dir: string;
  readonly server: MisbehavingServer;
  /** In the order of the sizes asked for, named `f0.bin`, `f1.bin`... */
  readonly files: readonly PayloadFile[];
  /** URL of a payload on the server. */
  urlOf(file: PayloadFile): string;
  /** Requests the server received for a payload so far. */
  requestsFor(file: PayloadFile): MisbehavingServer['requests'];
  close(): Promise<void>;
}

export async function servePayloads(sizes: readonly number[]): Promise<ServedPayloads> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bst-payloads-'));
  const files = await Promise.all(sizes.map((size, i) => writePayload(dir, `f${i}.bin`, size)));
  const server = await startMisbehavingServer({ root: dir });
  return {
    dir,
    server,
    files,
    urlOf: (file) => `${server.url}${file.urlPath}`,
    requestsFor: (file) => server.requests.filter((r) => r.path === file.urlPath),
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
