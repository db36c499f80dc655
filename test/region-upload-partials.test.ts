import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { waitFor } from '@bootsync/testkit/wait';
import { maasMultipart, oauthHeader } from '@bootsync/region/testing';
import { REGION_BIN, deleteRegionKeys, startBin, type Daemon } from './daemon-bins.js';

// An image posted whole (`boot-resources create ... content=@FILE` as one multipart POST) streams into a partial
// named for that request (partial/upload-<uuid>.part), which nothing can resume. A region killed mid-POST leaves
// it behind: the next import's clean-up removes it, and never the partial of an upload still being posted.
const MiB = 1024 * 1024;
const execFileAsync = promisify(execFile);

let dir: string;
let dataDir: string;
let mirror: GeneratedMirror;
let server: MisbehavingServer;
let region: Daemon | undefined;
let authorization: string;

function startRegion(): Promise<Daemon> {
  return startBin(
    REGION_BIN,
    ['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--redis-url', testRedisUrl, '--default-source-url', `${server.url}/`, '--default-keyring', mirror.keyring.binary],
    'region.started',
  );
}

const imports = (daemon: Daemon, event: string): Record<string, unknown>[] => daemon.events().filter((e) => e.event === event);

/** The upload partials in the store, with their sizes. */
async function uploadPartials(): Promise<Map<string, number>> {
  const partialDir = join(dataDir, 'store', 'partial');
  const names = (await readdir(partialDir).catch(() => [] as string[])).filter((n) => n.startsWith('upload-'));
  return new Map(await Promise.all(names.map(async (n) => [n, (await stat(join(partialDir, n)).catch(() => ({ size: 0 }))).size] as const)));
}

/**
 * A multipart POST of `boot-resources create` with its content, as `curl -F` or an older maas CLI sends it, of which
 * only the first `sentFraction` goes out until `finish()`. Its answer has status 0 when the connection broke.
 */
function postInTwoHalves(url: string, name: string, content: Buffer, sentFraction: number) {
  const { contentType, body } = maasMultipart([
    ['name', name],
    ['architecture', 'amd64/generic'],
    ['filetype', 'ddraw'],
    ['content', content, 'file'],
  ]);
  const stream = new PassThrough();
  const split = Math.floor(body.length * sentFraction);
  stream.write(body.subarray(0, split));
  const response = request(`${url}/MAAS/api/2.0/boot-resources/`, {
    method: 'POST',
    headers: { authorization, 'content-type': contentType, 'content-length': String(body.length) },
    body: stream,
  }).then(
    async (res) => ({ status: res.statusCode, body: await res.body.text() }),
    // A region killed mid-request: no answer.
    (err: unknown) => ({ status: 0, body: String(err) }),
  );
  return {
    response,
    finish: () => stream.end(body.subarray(split)),
  };
}

async function triggerImport(daemon: Daemon): Promise<void> {
  const res = await request(`${daemon.url}/MAAS/api/2.0/boot-resources/?op=import`, { method: 'POST', headers: { authorization } });
  expect(res.statusCode).toBe(200);
  await res.body.dump();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bootsync-upload-partials-'));
  mirror = await createSignedMirror(join(dir, 'upstream'), { bootloaders: false, centos: false, versions: ['20250718'] });
  server = await startMisbehavingServer({ root: mirror.root });
  dataDir = join(dir, 'region');
  const { stdout } = await execFileAsync(process.execPath, [REGION_BIN, 'apikey', '--data-dir', dataDir]);
  const [consumerKey, tokenKey, tokenSecret] = stdout.trim().split(':') as [string, string, string];
  authorization = oauthHeader({ consumerKey, tokenKey, tokenSecret });
}, 60_000);

afterAll(async () => {
  await region?.kill();
  await server?.close();
  await deleteRegionKeys(dataDir);
  await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('the partial of an image posted whole', () => {
  it('left by a region killed mid-POST is removed by the next import', async () => {
    const first = await startRegion();
    region = first;
    // Custom images need an architecture the region boots: the start-up import brings noble amd64.
    await waitFor('the start-up import', () => imports(first, 'import.finished').length > 0, 30_000);
    const upload = postInTwoHalves(first.url, 'custom/cut-short', Buffer.alloc(4 * MiB, 7), 0.6);
    await waitFor('bytes of the upload in its partial', async () => [...(await uploadPartials()).values()].some((size) => size > MiB));
    await first.kill();
    expect((await upload.response).status).toBe(0);
    const stray = [...(await uploadPartials()).keys()];
    expect(stray).toEqual([expect.stringMatching(/^upload-[0-9a-f-]{36}\.part$/)]);

    const second = await startRegion();
    region = second;
    await waitFor('the start-up import', () => imports(second, 'import.finished').length > 0, 30_000);
    expect(imports(second, 'import.finished')[0]).toMatchObject({ outcome: 'succeeded' });
    expect(await uploadPartials()).toEqual(new Map());
    expect(imports(second, 'import.gc')).toEqual([expect.objectContaining({ partials: 1, blobs: 0 })]);
  }, 90_000);

  it('is kept while its upload is being posted, across an import, and published once the rest arrives', async () => {
    const daemon = region!;
    const content = Buffer.alloc(3 * MiB, 9);
    const upload = postInTwoHalves(daemon.url, 'custom/posted-slowly', content, 0.5);
    await waitFor('bytes of the upload in its partial', async () => [...(await uploadPartials()).values()].some((size) => size > 0));
    const writing = [...(await uploadPartials()).keys()];

    const finished = imports(daemon, 'import.finished').length;
    await triggerImport(daemon);
    await waitFor('the import', () => imports(daemon, 'import.finished').length > finished, 30_000);
    expect(imports(daemon, 'import.finished').at(-1)).toMatchObject({ outcome: 'succeeded' });
    expect([...(await uploadPartials()).keys()]).toEqual(writing);

    upload.finish();
    const answer = await upload.response;
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ name: 'custom/posted-slowly', type: 'Uploaded', size: content.length });
    const sha256 = createHash('sha256').update(content).digest('hex');
    expect((await stat(join(dataDir, 'store', 'sha256', sha256.slice(0, 2), sha256))).size).toBe(content.length);
    expect(await uploadPartials()).toEqual(new Map());
  }, 90_000);
});
