import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_RESOURCES, describeHash } from '../src/api/index.js';
import { startApi, type ApiHarness } from './api-harness.js';
import { captured, fillCaptured, keepAlive, MAASCLI_FIXTURES } from './maascli-replay.js';

/**
 * The real maas CLI's 100 MB chunked upload, replayed byte for byte (maascli-replay.ts). Its other captured
 * requests are replayed by api.maas-transcript.test.ts, which checks each answer and writes docs/maas-cli-compat.md.
 */
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

describe('the API hash the real maas CLI compares', () => {
  it('changes once the API changes, so a CLI with a stale describe tells its user to refresh', () => {
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
    const noble = await bootResources.upsert({ rtype: 'synced', name: 'ubuntu/noble', architecture: 'amd64/ga-24.04', extra: { subarches: 'generic,ga-24.04' } });
    const files = ['boot-kernel', 'boot-initrd', 'squashfs'].map((t, i) => ({ filename: t, filetype: t, sha256: String(i + 1).repeat(64), size: 1, bytesDone: 1 }));
    await resourceSets.markComplete((await resourceSets.create(noble.id, { version: '20250718', label: 'stable', files })).id);

    const connection = await keepAlive(host);
    try {
      const created = await connection.send(captured('09-boot-resources-create-chunked', host, api.key));
      expect({ status: created.status, type: created.headers['content-type'] }).toEqual({ status: 201, type: 'application/json; charset=utf-8' });
      const resource = JSON.parse(created.body) as { id: number; name: string; type: string; sets: Record<string, { files: Record<string, { upload_uri: string; sha256: string; size: number }> }> };
      const file = Object.values(Object.values(resource.sets)[0]!.files)[0]!;
      expect({ name: resource.name, type: resource.type, sha256: file.sha256, size: file.size }).toEqual({ name: 'custom/fidelity-100mb', type: 'Uploaded', sha256: SHA256, size: SIZE });
      const [, resourceId, fileId] = /\/boot-resources\/(\d+)\/upload\/(\d+)\/$/.exec(file.upload_uri)!;

      const heads = readFileSync(join(MAASCLI_FIXTURES, '10-boot-resource-upload-chunks.http'), 'latin1').split('\r\n\r\n').filter((h) => h !== '');
      expect(heads).toHaveLength(25);
      for (const [index, head] of heads.entries()) {
        const bytes = fillCaptured(`${head}\r\n\r\n`, host, api.key, { RESOURCE_ID: resourceId!, FILE_ID: fileId! });
        const answer = await connection.send(Buffer.concat([bytes, imageChunk(index)]));
        // The CLI stops at the first answer that is not 200.
        expect({ index, status: answer.status, body: answer.body }).toEqual({ index, status: 200, body: 'OK' });
      }
    } finally {
      connection.close();
    }
    const uploaded = (await api.repos.bootResources.findByName('custom/fidelity-100mb', 'amd64/generic'))!;
    expect((await api.repos.resourceSets.listForResource(uploaded.id))[0]).toMatchObject({ complete: true, label: 'uploaded', size: SIZE });
    expect(await api.store.has(SHA256)).toBe(true);
  }, 60_000);
});
