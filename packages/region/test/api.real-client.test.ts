import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_RESOURCES, describeHash } from '../src/api/index.js';
import { startApi, type ApiHarness } from './api-harness.js';

/**
 * Requests captured on the wire from the real maas CLI (canonical/maas src/maascli + src/apiclient, httplib2 0.20.4,
 * see docs/maas-cli-compat.md), sent byte for byte to a listening region API. Only the key and the Host are put back
 * in: `{CONSUMER_KEY}`, `{TOKEN_KEY}`, `{TOKEN_SECRET}`, `{HOST}`.
 */
const FIXTURES = join(import.meta.dirname, 'fixtures', 'maascli');

interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

let api: ApiHarness;
let host: string;

beforeAll(async () => {
  api = await startApi();
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('API is not listening on TCP');
  host = `127.0.0.1:${address.port}`;
});
afterAll(() => api.close());

function captured(name: string): Buffer {
  const raw = readFileSync(join(FIXTURES, `${name}.http`), 'latin1')
    .replaceAll('{HOST}', host)
    .replaceAll('{CONSUMER_KEY}', api.key.consumerKey)
    .replaceAll('{TOKEN_KEY}', api.key.tokenKey)
    .replaceAll('{TOKEN_SECRET}', api.key.tokenSecret);
  return Buffer.from(raw, 'latin1');
}

/** Writes the bytes on a fresh connection and reads one HTTP/1.1 answer (Content-Length framed, as fastify sends). */
function exchange(request: Buffer): Promise<RawAnswer> {
  const [hostname, port] = host.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let received = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      const length = Number(headers['content-length'] ?? 0);
      if (received.length < end + 4 + length) return;
      socket.destroy();
      const body = received.subarray(end + 4, end + 4 + length).toString('utf8');
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body });
    });
  });
}

async function describeHashSeen(): Promise<string> {
  const res = await api.app.inject({ method: 'GET', url: '/MAAS/api/2.0/describe/' });
  return (res.json() as { hash: string }).hash;
}

describe('the real maas CLI, replayed byte for byte', () => {
  // In order: the create makes boot source 1, which the delete removes.
  const flow: readonly [string, number, string, RegExp][] = [
    ['01-login-whoami', 200, 'application/json; charset=utf-8', /"username":"admin"/],
    ['02-login-whoami-rejected-key', 401, 'text/plain; charset=utf-8', /./],
    ['03-boot-sources-create-keyring-file', 201, 'application/json; charset=utf-8', /"url":"http:\/\/127\.0\.0\.1:18731\/other"/],
    ['04-boot-source-delete', 204, 'text/html; charset=utf-8', /^$/],
    ['05-boot-source-read-unknown', 404, 'text/plain; charset=utf-8', /^No BootSource matches the given query\.$/],
    ['06-login-macaroon-probe', 404, 'text/plain; charset=utf-8', /account/],
    ['07-set-config-http-proxy', 200, 'text/plain; charset=utf-8', /^OK$/],
    ['08-get-config-unknown-name', 400, 'application/json; charset=utf-8', /'é' is not a config name/],
  ];

  it('answers each with the status, Content-Type and body the CLI prints, and the API hash it compares', async () => {
    const hash = await describeHashSeen();
    for (const [name, status, contentType, body] of flow) {
      const answer = await exchange(captured(name));
      expect({ name, status: answer.status, type: answer.headers['content-type'] }).toEqual({ name, status, type: contentType });
      expect(answer.body, name).toMatch(body);
      // maascli warns "Refresh the local API description with `maas refresh`" on stderr when these differ.
      expect(answer.headers['x-maas-api-hash'], name).toBe(hash);
    }
    expect(api.repos.bootSources.list()).toEqual([]);
    expect(api.repos.config.get().http_proxy).toBe('http://u:p%40ss@proxy.example:3128/?a=b&c=d é');
  });

  it('sends another hash once the API changes, so a CLI with a stale describe tells its user to refresh', () => {
    const root = '/MAAS/api/2.0/';
    const grown = [...API_RESOURCES, { name: 'ExtraHandler', path: 'extra/', doc: 'An added handler.', actions: [] }];
    expect(describeHash(grown, root)).not.toBe(describeHash(API_RESOURCES, root));
  });
});

/**
 * `maas admin boot-resources create name=custom/fidelity-100mb ... content@=image-100MB.ddxz` captured on the wire
 * (docs/maas-cli-compat.md): the form without the content, then 25 PUTs of 4 MiB to the upload_uri, all on one
 * keep-alive connection. The image is not kept: MiB number k of it is sha256(`bootsync-upload-<k>`) repeated
 * 32768 times, which the capture's sha256 field pins down.
 */
describe('the real maas CLI uploading 100 MB through its chunked path, replayed', () => {
  const CHUNK = 4 * 1024 * 1024;
  const SIZE = 100 * 1024 * 1024;
  const MiB = 1024 * 1024;
  const SHA256 = 'cd5a36c7a95012e7d8d1c1206efd29c796bca31e19c1c368c00fc568553812b7';

  function imageChunk(index: number): Buffer {
    const out = Buffer.alloc(CHUNK);
    for (let m = 0; m < CHUNK / MiB; m++) out.fill(createHash('sha256').update(`bootsync-upload-${index * 4 + m}`).digest(), m * MiB, (m + 1) * MiB);
    return out;
  }

  it('answers the create with an upload_uri, each chunk with 200, and publishes the image once the last byte is in', async () => {
    const { bootResources, resourceSets } = api.repos;
    // An image that can commission makes amd64/generic a usable architecture, as in MAAS.
    const noble = bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04', extra: { subarches: 'generic,ga-24.04' } });
    const files = ['boot-kernel', 'boot-initrd', 'squashfs'].map((t, i) => ({ filename: t, filetype: t, sha256: String(i + 1).repeat(64), size: 1, bytesDone: 1 }));
    resourceSets.markComplete(resourceSets.create(noble.id, { version: '20250718', label: 'stable', files }).id);

    const connection = await keepAlive();
    try {
      const created = await connection.send(captured('09-boot-resources-create-chunked'));
      expect({ status: created.status, type: created.headers['content-type'] }).toEqual({ status: 201, type: 'application/json; charset=utf-8' });
      const resource = JSON.parse(created.body) as { id: number; name: string; type: string; sets: Record<string, { files: Record<string, { upload_uri: string; sha256: string; size: number }> }> };
      const file = Object.values(Object.values(resource.sets)[0]!.files)[0]!;
      expect({ name: resource.name, type: resource.type, sha256: file.sha256, size: file.size }).toEqual({ name: 'custom/fidelity-100mb', type: 'Uploaded', sha256: SHA256, size: SIZE });
      const [, resourceId, fileId] = /\/boot-resources\/(\d+)\/upload\/(\d+)\/$/.exec(file.upload_uri)!;

      const heads = readFileSync(join(FIXTURES, '10-boot-resource-upload-chunks.http'), 'latin1').split('\r\n\r\n').filter((h) => h !== '');
      expect(heads).toHaveLength(25);
      for (const [index, head] of heads.entries()) {
        const bytes = Buffer.from(
          `${head.replaceAll('{RESOURCE_ID}', resourceId!).replaceAll('{FILE_ID}', fileId!).replaceAll('{HOST}', host)
            .replaceAll('{CONSUMER_KEY}', api.key.consumerKey).replaceAll('{TOKEN_KEY}', api.key.tokenKey).replaceAll('{TOKEN_SECRET}', api.key.tokenSecret)}\r\n\r\n`,
          'latin1',
        );
        const answer = await connection.send(Buffer.concat([bytes, imageChunk(index)]));
        // The CLI stops at the first answer that is not 200.
        expect({ index, status: answer.status, body: answer.body }).toEqual({ index, status: 200, body: 'OK' });
      }
    } finally {
      connection.close();
    }
    const uploaded = api.repos.bootResources.findByName('custom/fidelity-100mb', 'amd64/generic')!;
    expect(api.repos.resourceSets.listForResource(uploaded.id)[0]).toMatchObject({ complete: true, label: 'uploaded', size: SIZE });
    expect(await api.store.has(SHA256)).toBe(true);
  }, 60_000);
});

/** One connection kept open across requests, as httplib2 keeps it; each send reads one Content-Length framed answer. */
async function keepAlive(): Promise<{ send(request: Buffer): Promise<RawAnswer>; close(): void }> {
  const [hostname, port] = host.split(':') as [string, string];
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = Buffer.alloc(0);
  let waiting: ((answer: RawAnswer) => void) | undefined;
  const tryAnswer = (): void => {
    const end = received.indexOf('\r\n\r\n');
    if (end < 0 || !waiting) return;
    const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    if (received.length < end + 4 + length) return;
    const body = received.subarray(end + 4, end + 4 + length).toString('utf8');
    received = received.subarray(end + 4 + length);
    const done = waiting;
    waiting = undefined;
    done({ status: Number(statusLine!.split(' ')[1]), headers, body });
  };
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    tryAnswer();
  });
  return {
    send: (request) =>
      new Promise<RawAnswer>((resolve, reject) => {
        waiting = resolve;
        socket.once('error', reject);
        socket.write(request);
        tryAnswer();
      }),
    close: () => socket.destroy(),
  };
}
