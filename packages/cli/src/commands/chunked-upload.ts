import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FormField, MaasApiClient } from '../api-client/index.js';
import { UsageError } from '../exit-codes.js';
import { parseKeyValues } from './key-values.js';

/** maascli's boot_resources_create.CHUNK_SIZE: 4 MiB per PUT. */
const UPLOAD_CHUNK = 1 << 22;

interface CreatedResource {
  readonly sets: Readonly<Record<string, { readonly files: Readonly<Record<string, { readonly complete: boolean; readonly upload_uri?: string }>> }>>;
}

/**
 * `boot-resources create ... content@=FILE` as the maas CLI does it (maascli/actions/boot_resources_create.py): the
 * fields with the content's size and sha256 instead of the content, then the content in 4 MiB PUTs to the
 * `upload_uri` of the newest set's only file; nothing is PUT when the region already holds those bytes. The file
 * is read twice in chunks (hash, then upload), never whole. Returns the create's answer.
 */
export async function createWithChunkedUpload(client: MaasApiClient, path: string, args: readonly string[]): Promise<string> {
  const contentArg = args.find((a) => a.startsWith('content@='));
  if (contentArg === undefined) throw new UsageError('boot-resources create needs content@=FILE (the image to upload)');
  const file = contentArg.slice('content@='.length);
  const { size, sha256 } = await sizeAndSha256(file);
  const fields: FormField[] = [...parseKeyValues(args.filter((a) => a !== contentArg)), { name: 'size', value: String(size) }, { name: 'sha256', value: sha256 }];
  // maascli sorts the fields by name before encoding them.
  fields.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const created = await client.call('POST', path, { fields });
  const target = uploadTarget(JSON.parse(created.body) as CreatedResource);
  if (target === undefined) return created.body;
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(UPLOAD_CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, UPLOAD_CHUNK, null);
      if (bytesRead > 0) await client.put(target, buf.subarray(0, bytesRead));
      if (bytesRead !== UPLOAD_CHUNK) break;
    }
  } finally {
    await handle.close();
  }
  return created.body;
}

/** The upload_uri of the newest set's one file, or undefined when that file is already complete. */
function uploadTarget(resource: CreatedResource): string | undefined {
  const newest = Object.keys(resource.sets).sort().reverse()[0];
  const files = newest === undefined ? [] : Object.values(resource.sets[newest]!.files);
  if (files.length !== 1) throw new UsageError('the region answered the create without exactly one file to upload to');
  const [only] = files;
  if (only!.complete) return undefined;
  if (only!.upload_uri === undefined) throw new UsageError('the region answered the create without an upload_uri');
  return only!.upload_uri;
}

async function sizeAndSha256(file: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new UsageError(`content@=${file}: cannot read the file: ${(err as Error).message}`);
  }
  try {
    const buf = Buffer.alloc(UPLOAD_CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, UPLOAD_CHUNK, null);
      hash.update(buf.subarray(0, bytesRead));
      size += bytesRead;
      if (bytesRead !== UPLOAD_CHUNK) break;
    }
  } finally {
    await handle.close();
  }
  return { size, sha256: hash.digest('hex') };
}
