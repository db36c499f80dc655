import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { maasApiPlugin, MAAS_API_PREFIX, type ApiDeps } from '../src/api/index.js';
import { createRepositories, formatApiKey, openRegionDatabase, type ApiKey, type Repositories } from '../src/db/index.js';

/**
 * A region API over a real SQLite file in a temp dir. Tests that exercise imports or op=fetch pass the real import
 * service and prober; the others get ones that refuse loudly, so a test can never pass by touching them unawares.
 */
export interface ApiHarness {
  readonly app: FastifyInstance;
  readonly repos: Repositories;
  readonly key: ApiKey;
  /** `consumer:token:secret`, what `maas login` takes. */
  readonly apiKey: string;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startApi(extra: Partial<ApiDeps> = {}, shared?: { repos: Repositories }): Promise<ApiHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'bootsync-api-'));
  // With `shared`, the API runs over another harness's database (the import's), which that harness closes.
  const db = shared ? undefined : openRegionDatabase(join(dir, 'region.db'));
  const repos = shared?.repos ?? createRepositories(db!);
  const key = repos.apiKeys.ensureAdmin();
  const app = Fastify();
  await app.register(maasApiPlugin, {
    prefix: MAAS_API_PREFIX,
    deps: { ...repos, imports: notWired<ApiDeps['imports']>('imports'), prober: notWired<ApiDeps['prober']>('prober'), ...extra },
  });
  await app.ready();
  return {
    app,
    repos,
    key,
    apiKey: formatApiKey(key),
    dir,
    async close() {
      await app.close();
      db?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function notWired<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: (_t, prop) => () => {
      throw new Error(`${what}.${String(prop)} is not wired in this test`);
    },
  });
}

/** The Authorization header maascli (oauthlib, PLAINTEXT, empty consumer secret) sends. */
export function oauthHeader(key: Pick<ApiKey, 'consumerKey' | 'tokenKey' | 'tokenSecret'>): string {
  const nonce = String(Math.floor(Math.random() * 1e20));
  const timestamp = String(Math.floor(Date.now() / 1000));
  return (
    `OAuth oauth_nonce="${nonce}", oauth_timestamp="${timestamp}", oauth_version="1.0", ` +
    `oauth_signature_method="PLAINTEXT", oauth_consumer_key="${key.consumerKey}", ` +
    `oauth_token="${key.tokenKey}", oauth_signature="%26${key.tokenSecret}"`
  );
}

/**
 * A multipart body exactly as maascli builds it with Python's email package: quoted `===============<digits>==`
 * boundary, each value base64 in 76-column CRLF lines, one part per value (repeated keys repeat parts).
 */
export function maasMultipart(fields: readonly (readonly [string, string | Buffer, 'file'?])[]): {
  contentType: string;
  body: Buffer;
} {
  const boundary = `===============${String(Math.floor(Math.random() * 1e18)).padStart(19, '0')}==`;
  const parts = fields.map(([name, value, file]) => {
    const b64 = Buffer.from(value).toString('base64').replace(/(.{76})/g, '$1\r\n').replace(/\r\n$/, '');
    const disposition = `form-data; name="${name}"${file ? `; filename="${name}"` : ''}`;
    return (
      `--${boundary}\r\nContent-Type: text/plain; charset="utf-8"\r\nMIME-Version: 1.0\r\n` +
      `Content-Transfer-Encoding: base64\r\nContent-Disposition: ${disposition}\r\n\r\n${b64}\r\n`
    );
  });
  return {
    contentType: `multipart/form-data; boundary="${boundary}"`,
    body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`),
  };
}

export type Field = readonly [string, string | Buffer, 'file'?];

/**
 * A call as the maas CLI makes it: key=values in the query for GET and DELETE, in a base64 multipart body
 * otherwise, no body at all when there are none; signed with the harness's key unless told otherwise.
 */
export async function maasCall(
  api: ApiHarness,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  fields: readonly Field[] = [],
  authorization: string | null = oauthHeader(api.key),
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = authorization === null ? {} : { authorization };
  const [route, op] = path.split('?') as [string, string?];
  const query = new URLSearchParams(op);
  let payload: Buffer | undefined;
  if (method === 'GET' || method === 'DELETE') {
    for (const [k, v] of fields) query.append(k, String(v));
  } else if (fields.length > 0) {
    const mp = maasMultipart(fields);
    headers['content-type'] = mp.contentType;
    payload = mp.body;
  }
  const qs = query.toString();
  return api.app.inject({ method, url: `/MAAS/api/2.0/${route}${qs ? `?${qs}` : ''}`, headers, ...(payload && { payload }) });
}
