import { once } from 'node:events';
import { fstatSync, openSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { answerFileRequest, sendFile } from '@bootsync/shared/http';
import { bearerToken, STREAM_INDEX_PATH, STREAM_PATH } from '@bootsync/shared/rack-protocol';
import { parseIndex, parseProducts } from '@bootsync/shared/streams';

/** One request the stand-in answered. */
interface StandInRequest {
  /** Under STREAM_PATH: `streams/v1/index.json`, an item's path. */
  readonly path: string;
  readonly range: string | undefined;
  status: number;
}

/**
 * A stand-in for a second region of a cluster, for the rack's failover tests until regions share a database (issue
 * 13; two regions today share nothing, so a rack token one issued is unknown to the other). It serves a copy of a
 * real region's stream taken through that region's HTTP API: the same documents with the same ETags, and the same
 * blobs under their sha256 ETags with Range and If-Range, answered by the region's own `answerFileRequest` and
 * `sendFile`. It accepts any rack token, as a peer sharing the region's database would accept that rack's, and
 * answers 503 with Retry-After until it holds a copy, as a region still catching up does.
 */
export interface RegionStandIn {
  readonly url: string;
  readonly requests: readonly StandInRequest[];
  /** Copies what `regionUrl` serves now (read with `authorization`, an API key): documents, then every blob. */
  copyFrom(regionUrl: string, authorization: string): Promise<void>;
  close(): Promise<void>;
}

interface Copy {
  readonly documents: ReadonlyMap<string, { readonly body: Buffer; readonly etag: string }>;
  /** Item path → blob file (named by its sha256). */
  readonly files: ReadonlyMap<string, { readonly file: string; readonly sha256: string }>;
}

export async function startRegionStandIn(dir: string): Promise<RegionStandIn> {
  await mkdir(dir, { recursive: true });
  const requests: StandInRequest[] = [];
  let copy: Copy | undefined;
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const path = pathname.startsWith(STREAM_PATH) ? pathname.slice(STREAM_PATH.length) : pathname;
    const record: StandInRequest = { path, range: req.headers.range, status: 0 };
    requests.push(record);
    const answer = (status: number, headers: Record<string, string> = {}, body = ''): void => {
      record.status = status;
      res.writeHead(status, headers).end(body);
    };
    if (bearerToken(req.headers.authorization) === undefined) return answer(401);
    if (!copy) return answer(503, { 'retry-after': '1' }, 'catching up');
    const document = copy.documents.get(path);
    if (document) {
      const fresh = req.headers['if-none-match'] === document.etag;
      record.status = fresh ? 304 : 200;
      return void res.writeHead(record.status, { etag: document.etag, 'content-type': 'application/json' }).end(fresh ? undefined : document.body);
    }
    const blob = copy.files.get(path);
    if (!blob) return answer(404);
    serveBlob(blob, req, res, record);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    requests,
    async copyFrom(regionUrl, authorization) {
      const root = new URL(STREAM_PATH, regionUrl);
      const get = async (path: string): Promise<{ body: Buffer; etag: string }> => {
        const response = await request(new URL(path, root), { headers: { authorization } });
        const body = Buffer.from(await response.body.arrayBuffer());
        if (response.statusCode !== 200) throw new Error(`${path}: HTTP ${response.statusCode} ${body.toString()}`);
        return { body, etag: String(response.headers.etag) };
      };
      const documents = new Map([[STREAM_INDEX_PATH, await get(STREAM_INDEX_PATH)]]);
      const files = new Map<string, { file: string; sha256: string }>();
      for (const entry of parseIndex(documents.get(STREAM_INDEX_PATH)!.body.toString(), STREAM_INDEX_PATH).entries) {
        const products = await get(entry.path);
        documents.set(entry.path, products);
        for (const item of parseProducts(products.body.toString(), entry.path, entry.contentId).items) {
          const sha256 = item.checksums.sha256!;
          const file = join(dir, sha256);
          if (![...files.values()].some((f) => f.sha256 === sha256)) await writeFile(file, (await get(item.path)).body);
          files.set(item.path, { file, sha256 });
        }
      }
      copy = { documents, files };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serveBlob(blob: { readonly file: string; readonly sha256: string }, req: IncomingMessage, res: ServerResponse, record: StandInRequest): void {
  const fd = openSync(blob.file, 'r');
  const ifRange = req.headers['if-range'];
  const answer = answerFileRequest(
    { range: req.headers.range, ifRange: Array.isArray(ifRange) ? ifRange[0] : ifRange, ifNoneMatch: req.headers['if-none-match'] },
    fstatSync(fd).size,
    `"${blob.sha256}"`,
  );
  record.status = answer.status;
  // sendFile closes the descriptor however it ends.
  sendFile(res, fd, answer, { head: req.method === 'HEAD' }).catch(() => res.destroy());
}
