import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { capturingLogger } from '@bootsync/testkit/logs';
import { ContentStore } from '@bootsync/shared/store';
import { readMirror } from '@bootsync/shared/streams';
import { realFixtures } from '@bootsync/testkit/fixtures';
import { cacheEntries } from '../src/import/cache-entries.js';
import { encodeMaasMultipart, plaintextOAuthHeader } from '@bootsync/cli/api-client';
import { maasApiPlugin, MAAS_API_PREFIX, type ApiDeps } from '../src/api/index.js';
import { formatApiKey, openRegionRepositories, type ApiKey, type Repositories } from '../src/db/index.js';
import { UploadService } from '../src/uploads/index.js';
import { testDatabaseTarget } from './test-database.js';

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
  /** The content store uploads go to (`<dir>/store`, or the one passed in `extra.uploads`). */
  readonly store: ContentStore;
  close(): Promise<void>;
}

export async function startApi(extra: Partial<ApiDeps> = {}, shared?: { repos: Repositories }): Promise<ApiHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'bootsync-api-'));
  // With `shared`, the API runs over another harness's database (the import's), which that harness closes.
  const own = shared ? undefined : await openRegionRepositories(await testDatabaseTarget(dir, 'api'));
  const repos = shared?.repos ?? own!;
  const key = await repos.apiKeys.ensureAdmin();
  const store = new ContentStore({ root: join(dir, 'store'), fsync: false });
  const uploads = new UploadService({ repos, store, logger: capturingLogger('api-test').logger });
  const app = Fastify();
  await app.register(maasApiPlugin, {
    prefix: MAAS_API_PREFIX,
    deps: { ...repos, imports: notWired<ApiDeps['imports']>('imports'), prober: notWired<ApiDeps['prober']>('prober'), uploads, ...extra },
  });
  await app.ready();
  return {
    app,
    repos,
    key,
    apiKey: formatApiKey(key),
    dir,
    store,
    async close() {
      await app.close();
      await own?.db.close();
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

/** The Authorization header maascli (oauthlib, PLAINTEXT, empty consumer secret) sends: the CLI's own. */
export const oauthHeader: (key: Pick<ApiKey, 'consumerKey' | 'tokenKey' | 'tokenSecret'>) => string = plaintextOAuthHeader;

export type Field = readonly [string, string | Buffer, 'file'?];

/**
 * A multipart body exactly as maascli builds it with Python's email package (quoted boundary, base64 parts, one part
 * per value): the CLI's encoder, which cli-output.test.ts checks byte for byte against Python's.
 */
export function maasMultipart(fields: readonly Field[]): { contentType: string; body: Buffer } {
  return encodeMaasMultipart(fields.map(([name, value, file]) => ({ name, value, file: file === 'file' })));
}

/**
 * A call as the maas CLI makes it: key=values in the query for GET and DELETE, in a base64 multipart body
 * otherwise, no body at all when there are none; signed with the harness's key unless told otherwise.
 */
export async function maasCall(
  api: Pick<ApiHarness, 'app' | 'key'>,
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

/** maascli's apiclient/multipart.py, run by the machine's python3 with the real `email` package. */
const PYTHON_MULTIPART = `
import sys, json
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.generator import BytesGenerator
from io import BytesIO
message = MIMEMultipart("form-data")
boundary = sys.argv[2]
if boundary:
    message.set_boundary(boundary)
for name, value, is_file in json.loads(sys.argv[1]):
    if is_file:
        payload = MIMEApplication(bytes.fromhex(value))
        payload.add_header("Content-Disposition", "form-data", name=name, filename=name)
        payload.set_type("application/octet-stream")
    else:
        payload = MIMEApplication(value.encode("utf-8"), charset="utf-8")
        payload.add_header("Content-Disposition", "form-data", name=name)
        payload.set_type("text/plain")
    message.attach(payload)
buf = BytesIO()
generator = BytesGenerator(buf, False)
generator._write_headers = lambda self: None
generator.flatten(message)
body = b"\\r\\n".join(buf.getvalue().splitlines())
sys.stdout.buffer.write(message["Content-Type"].encode() + b"\\n" + body)
`;

/** The body the real maas CLI sends for these fields (Python's email package; needs python3 on the machine). */
export function pythonMaasMultipart(fields: readonly Field[], boundary = ''): { contentType: string; body: Buffer } {
  const spec = fields.map(([name, value, file]) => [name, file ? Buffer.from(value).toString('hex') : String(value), file === 'file']);
  const out = execFileSync('python3', ['-c', PYTHON_MULTIPART, JSON.stringify(spec), boundary]);
  const newline = out.indexOf(0x0a);
  return { contentType: out.subarray(0, newline).toString(), body: out.subarray(newline + 1) };
}

/**
 * Caches for a source what the real July 2025 stream offers (ubuntu jammy/noble on amd64 and arm64, centos,
 * bootloaders), as if the region had just read it: selections on a source no test server serves are then checked
 * against that, without a network read.
 */
export async function cacheRealOffer(repos: Pick<Repositories, 'sourceCache'>, bootSourceId: number): Promise<void> {
  const { items } = await readMirror(realFixtures.maasStable2025Index, { verify: false });
  await repos.sourceCache.replace(bootSourceId, cacheEntries(items));
}
