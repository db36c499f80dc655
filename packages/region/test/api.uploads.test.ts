import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maasCall, oauthHeader, startApi, type ApiHarness, type Field } from './api-harness.js';

const MiB = 1024 * 1024;
const CHUNK = 4 * MiB;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let api: ApiHarness;
let origin: string;

/** Bytes that differ at every offset, so a chunk sent twice or out of order cannot hash right. */
function image(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size + 3);
  for (let i = 0; i < size; i += 4) out.writeUInt32LE((Math.imul(i + seed, 2654435761) ^ seed) >>> 0, i);
  return out.subarray(0, size);
}

beforeAll(async () => {
  api = await startApi();
  // An Ubuntu image that can commission: what makes amd64/generic a usable architecture, as in MAAS.
  const { bootResources, resourceSets } = api.repos;
  const noble = await bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04', extra: { subarches: 'generic,ga-24.04' } });
  const files = ['boot-kernel', 'boot-initrd', 'squashfs'].map((t, i) => ({ filename: t, filetype: t, sha256: String(i + 1).repeat(64), size: 10, bytesDone: 10 }));
  await resourceSets.markComplete((await resourceSets.create(noble.id, { version: '20250718', label: 'stable', files })).id);
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  origin = `http://127.0.0.1:${address.port}`;
});
afterAll(() => api.close());

interface Created {
  id: number;
  type: string;
  name: string;
  sets: Record<string, { complete: boolean; files: Record<string, { complete: boolean; upload_uri?: string; size: number; sha256: string }> }>;
}

async function create(fields: readonly Field[]): Promise<{ status: number; body: Created & Record<string, unknown>; text: string }> {
  const res = await maasCall(api, 'POST', 'boot-resources/', fields);
  const isJson = String(res.headers['content-type']).startsWith('application/json');
  return { status: res.statusCode, body: isJson ? res.json() : ({} as Created & Record<string, unknown>), text: res.body };
}

function onlyFile(created: Created) {
  const newest = Object.keys(created.sets).sort().reverse()[0]!;
  return Object.values(created.sets[newest]!.files)[0]!;
}

async function put(uri: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await request(`${origin}${uri}`, {
    method: 'PUT',
    body,
    headers: { authorization: oauthHeader(api.key), 'content-type': 'application/octet-stream', 'content-length': String(body.length), ...headers },
  });
  return { status: res.statusCode, text: await res.body.text() };
}

async function read(id: number): Promise<Created & Record<string, unknown>> {
  return (await maasCall(api, 'GET', `boot-resources/${id}/`)).json();
}

describe('boot-resources create, the chunked path of the maas CLI', () => {
  it('answers 201 with the upload_uri, takes the content in 4 MiB PUTs and publishes it once size and sha256 match', async () => {
    const content = image(10 * MiB + 12345, 1);
    const { status, body } = await create([
      ['architecture', 'amd64/generic'], ['filetype', 'ddxz'], ['name', 'custom/desktop'], ['sha256', sha256(content)], ['size', String(content.length)], ['title', 'Desktop'],
    ]);
    expect(status).toBe(201);
    expect(body).toMatchObject({ type: 'Uploaded', name: 'custom/desktop', architecture: 'amd64/generic', title: 'Desktop', subarches: 'generic', base_image: 'ubuntu/noble' });
    const file = onlyFile(body);
    expect(file).toMatchObject({ complete: false, size: content.length, sha256: sha256(content), upload_uri: expect.stringMatching(/^\/MAAS\/api\/2\.0\/boot-resources\/\d+\/upload\/\d+\/$/) });

    for (let at = 0; at < content.length; at += CHUNK) {
      const answer = await put(file.upload_uri!, content.subarray(at, at + CHUNK));
      expect(answer).toEqual({ status: 200, text: 'OK' });
      if (at + CHUNK < content.length) expect((await read(body.id)).status).toMatch(/^Downloading \d+%$/);
    }
    const done = await read(body.id);
    expect(done).toMatchObject({ status: 'Synced', type: 'Uploaded' });
    expect(onlyFile(done)).toMatchObject({ complete: true, filename: 'root-dd.xz' });
    expect(onlyFile(done).upload_uri).toBeUndefined();
    expect(await api.store.has(sha256(content))).toBe(true);
    expect(await put(file.upload_uri!, Buffer.from('x'))).toEqual({ status: 400, text: 'Cannot upload to a complete file.' });
    const uploaded = (await maasCall(api, 'GET', 'boot-resources/', [['type', 'uploaded']])).json() as { name: string }[];
    expect(uploaded.map((r) => r.name)).toContain('custom/desktop');
  });

  it('refuses content whose sha256 differs with a 400 naming both digests, and publishes nothing', async () => {
    const content = image(3 * MiB, 2);
    const claimed = sha256(image(3 * MiB, 3));
    const { body } = await create([['architecture', 'amd64/generic'], ['name', 'broken'], ['sha256', claimed], ['size', String(content.length)]]);
    expect(body.name).toBe('custom/broken');
    const answer = await put(onlyFile(body).upload_uri!, content);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('Saved content does not match given SHA256 value');
    expect(answer.text).toContain(claimed);
    expect(answer.text).toContain(sha256(content));
    const after = await read(body.id);
    expect(after.status).toBe('Queued for download');
    expect(onlyFile(after).complete).toBe(false);
    expect(await api.store.has(sha256(content))).toBe(false);
    expect(await api.store.has(claimed)).toBe(false);
  });

  it("answers MAAS's refusals: too much data, no data, a Content-Length the body does not meet, a synced image", async () => {
    const content = image(1 * MiB, 4);
    const { body } = await create([['architecture', 'amd64/generic'], ['name', 'small'], ['sha256', sha256(content)], ['size', String(content.length)]]);
    const uri = onlyFile(body).upload_uri!;
    expect(await put(uri, Buffer.concat([content, Buffer.from('!')]))).toEqual({ status: 400, text: 'Too much data received.' });
    expect(await put(uri, Buffer.alloc(0))).toEqual({ status: 400, text: 'Missing data.' });
    const synced = (await api.repos.resourceSets.listForResource((await api.repos.bootResources.findByName('ubuntu/noble', 'amd64/ga-24.04'))!.id))[0]!;
    const forbidden = await put(`/MAAS/api/2.0/boot-resources/${synced.resourceId}/upload/${synced.files[0]!.id}/`, Buffer.from('x'));
    expect(forbidden).toEqual({ status: 403, text: 'Cannot upload to a resource of type: synced.' });
    expect(await put(`/MAAS/api/2.0/boot-resources/${body.id}/upload/999999/`, Buffer.from('x'))).toEqual({ status: 404, text: 'No BootResourceFile matches the given query.' });
  });

  it('keeps the bytes of a chunk cut short and resumes from that offset (Content-Range)', async () => {
    const content = image(2 * MiB, 5);
    const { body } = await create([['architecture', 'amd64/generic'], ['name', 'resumed'], ['sha256', sha256(content)], ['size', String(content.length)]]);
    const uri = onlyFile(body).upload_uri!;
    const cut = MiB + 100;
    // A client that dies after sending part of its chunk.
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(new URL(origin).port), '127.0.0.1', () => {
        socket.write(
          `PUT ${uri} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${oauthHeader(api.key)}\r\n` +
            `Content-Type: application/octet-stream\r\nContent-Length: ${content.length}\r\n\r\n`,
        );
        socket.write(content.subarray(0, cut), () => setTimeout(() => socket.destroy(), 200));
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    const progress = async (): Promise<number> => (await read(body.id)).sets && onlyFileProgress(await read(body.id));
    await expect.poll(progress, { timeout: 5000 }).toBeGreaterThan(0);
    const stands = Math.round((onlyFileProgress(await read(body.id)) / 100) * content.length);
    expect(Math.abs(stands - cut)).toBeLessThan(content.length / 1000);

    const wrong = await put(uri, content.subarray(0, 10), { 'content-range': `bytes 0-9/${content.length}` });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toBe(`This upload stands at byte ${cut}; send the chunk that starts there (Content-Range started at 0).`);
    const rest = await put(uri, content.subarray(cut), { 'content-range': `bytes ${cut}-${content.length - 1}/${content.length}` });
    expect(rest).toEqual({ status: 200, text: 'OK' });
    expect((await read(body.id)).status).toBe('Synced');
  });
});

function onlyFileProgress(created: Record<string, unknown>): number {
  return (onlyFile(created as unknown as Created) as unknown as { progress: number }).progress;
}

describe('boot-resources create with the content in the same request', () => {
  it('streams a binary file part (curl -F content=@FILE) into the store and publishes it at once', async () => {
    const content = image(5 * MiB, 6);
    const boundary = 'curl-boundary-1234';
    const head = (name: string, extra = '') => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n`;
    const payload = Buffer.concat([
      Buffer.from(`${head('name')}\r\nwhole\r\n${head('architecture')}\r\namd64/generic\r\n${head('filetype')}\r\ntgz\r\n`),
      Buffer.from(`${head('content', '; filename="root.tgz"')}Content-Type: application/octet-stream\r\n\r\n`),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await request(`${origin}/MAAS/api/2.0/boot-resources/`, {
      method: 'POST',
      body: payload,
      headers: { authorization: oauthHeader(api.key), 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.statusCode).toBe(201);
    const created = (await res.body.json()) as Created;
    expect(onlyFile(created)).toMatchObject({ complete: true, sha256: sha256(content), size: content.length });
    expect(await api.store.has(sha256(content))).toBe(true);
  });

  it('decodes a base64 file part as the maas CLI encodes content@=FILE', async () => {
    const content = image(300_000, 7);
    const { status, body } = await create([['name', 'custom/b64'], ['architecture', 'amd64/generic'], ['content', content, 'file']]);
    expect(status).toBe(201);
    expect(onlyFile(body)).toMatchObject({ complete: true, sha256: sha256(content) });
  });

  it('refuses content that does not match the sha256 given with it, keeping nothing', async () => {
    const content = image(100_000, 8);
    const { status, text } = await create([['name', 'mismatch'], ['architecture', 'amd64/generic'], ['sha256', 'f'.repeat(64)], ['size', '100000'], ['content', content, 'file']]);
    expect(status).toBe(400);
    expect(text).toBe(`The content does not match the given sha256: expected ${'f'.repeat(64)}, got ${sha256(content)}; nothing was published.`);
    expect(await api.store.has(sha256(content))).toBe(false);
  });
});

describe("boot-resources create, MAAS's form errors", () => {
  const base: Field[] = [['architecture', 'amd64/generic'], ['sha256', 'a'.repeat(64)], ['size', '10']];
  it.each([
    ['a reserved OS name', [['name', 'custom/ubuntu'], ...base], { name: ['ubuntu is a reserved name'] }],
    ['a CentOS version name', [['name', 'centos8'], ...base], { name: ['centos8 is a reserved name'] }],
    [
      'an unsupported OS',
      [['name', 'plan9/4e'], ...base],
      { name: ["Unsupport operating system plan9, supported operating systems: ['ubuntu', 'ubuntu-core', 'bootloader', 'centos', 'rhel', 'custom', 'windows', 'suse', 'caringo', 'esxi']"] },
    ],
    [
      'an architecture no image can boot',
      [['name', 'x'], ['architecture', 'arm64/generic'], ['sha256', 'a'.repeat(64)], ['size', '10']],
      { architecture: ["'arm64/generic' is not a valid architecture.  It should be one of: 'amd64/generic'."] },
    ],
    ['a filetype MAAS does not take', [['name', 'x'], ['filetype', 'zip'], ...base], { filetype: ['Select a valid choice. zip is not one of the available choices.'] }],
    ['no sha256 nor size', [['name', 'x'], ['architecture', 'amd64/generic']], { sha256: ['This field is required.'], size: ['This field is required.'] }],
    ['a short sha256', [['name', 'x'], ['architecture', 'amd64/generic'], ['sha256', 'abc'], ['size', '10']], { sha256: ['Ensure this value has at least 64 characters (it has 3).'] }],
    ['a base image without a series', [['name', 'x'], ['base_image', 'ubuntu'], ...base], { base_image: ['a base image must follow the format: <osystem>/<series>'] }],
    ['a non-Linux base image', [['name', 'x'], ['base_image', 'windows/2019'], ...base], { base_image: ['custom images require a valid non-custom OS type base image'] }],
    ['no name', base, { name: ['This field is required.'] }],
  ] as const)('refuses %s', async (_what, fields, errors) => {
    const { status, body } = await create(fields as readonly Field[]);
    expect(status).toBe(400);
    expect(body).toEqual(errors);
  });

  it('offers create in describe, with its key=value arguments, and not the upload handler', async () => {
    const doc = (await maasCall(api, 'GET', 'describe/')).json() as { resources: { name: string; auth: { actions: { name: string; doc: string }[] } }[] };
    const create = doc.resources.find((r) => r.name === 'BootResourcesHandler')!.auth.actions.find((a) => a.name === 'create')!;
    expect(create.doc).toMatch(/:param content: /);
    expect(doc.resources.map((r) => r.name)).not.toContain('BootResourceFileUploadHandler');
  });
});

describe('deleting an upload', () => {
  it('removes the resource and its blob, and leaves blobs other images use', async () => {
    const content = image(200_000, 9);
    const { body } = await create([['name', 'gone'], ['architecture', 'amd64/generic'], ['content', content, 'file']]);
    expect(await api.store.has(sha256(content))).toBe(true);
    const res = await maasCall(api, 'DELETE', `boot-resources/${body.id}/`);
    expect(res.statusCode).toBe(204);
    expect(await api.store.has(sha256(content))).toBe(false);
    expect((await maasCall(api, 'GET', `boot-resources/${body.id}/`)).statusCode).toBe(404);
  });
});
