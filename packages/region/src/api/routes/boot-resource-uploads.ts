import type { PartialFile, StoredBlob } from '@bootsync/shared/store';
import { ValidationError, type BootResource } from '../../db/index.js';
import { cleanUploadForm } from '../../uploads/upload-form.js';
import { json, text, type ApiAnswer } from '../answer.js';
import { readBodyInto, type PartSink } from '../multipart-stream.js';
import { pathId } from '../params.js';
import type { ActionContext, ApiAction, ApiResource, ParamDoc } from '../route-table.js';
import { bootResourceJson, importRunning, resourceSetsJson } from './representations.js';

const CREATE_PARAMS: readonly ParamDoc[] = [
  { name: 'name', type: 'String', doc: 'Name of the boot resource: custom/NAME (or NAME) for a custom image, OS/RELEASE otherwise.' },
  { name: 'architecture', type: 'String', doc: 'Architecture the boot resource supports, e.g. amd64/generic.' },
  { name: 'sha256', type: 'String', doc: 'The sha256 hash of the resource (with size, when the content is uploaded in chunks).' },
  { name: 'size', type: 'Int', doc: 'The size of the resource in bytes.' },
  { name: 'title', type: 'String', doc: 'Optional. Title for the boot resource.' },
  {
    name: 'filetype',
    type: 'String',
    doc: 'Optional. Filetype for uploaded content. (Default: tgz. Supported: tgz, tbz, txz, ddtgz, ddtbz, ddtxz, ddtar, ddbz2, ddgz, ddxz, ddraw)',
  },
  { name: 'base_image', type: 'String', doc: 'Optional. The Base OS image a custom image is built on top of, as os/series. Only for a custom image.' },
  { name: 'content', type: 'File', doc: 'Optional. Image content, as a file upload (content@=FILE); the maas CLI uploads it in chunks instead.' },
  { name: 'keep_old', type: 'Boolean', doc: 'Optional. Accepted for MAAS compatibility; an older upload is replaced once the new one is complete.' },
];

/** `POST boot-resources/`: `maas $PROFILE boot-resources create name=... architecture=... content@=FILE`. */
export const createBootResource: ApiAction = {
  name: 'create',
  method: 'POST',
  op: null,
  streamsBody: true,
  summary: 'Upload a new boot resource (a custom image).',
  description:
    'The maas CLI sends the fields with the sha256 and size of the content first, then PUTs the content in 4 MiB ' +
    'chunks to the upload_uri of the answer; the content may also come whole as a file part. The image is ' +
    'published, and offered to the racks, once its size and sha256 match.',
  params: CREATE_PARAMS,
  handle: async (ctx) => {
    const content = new ContentPart(ctx);
    if (ctx.body) await readBodyInto(ctx.body, ctx.args, { sinkFor: (part) => (part.name === 'content' ? content : undefined) });
    try {
      ctx.args.expectOnly(CREATE_PARAMS.map((p) => p.name));
      const uploads = ctx.deps.uploads;
      const form = cleanUploadForm((key) => ctx.args.text(key), await uploads.formContext(), content.seen);
      const blob = await content.stored();
      let resource: BootResource;
      if (blob) resource = await uploads.createStored(form, blob);
      else if (form.sha256 !== undefined && form.size !== undefined) resource = await uploads.create({ ...form, sha256: form.sha256, size: form.size });
      // Django's FileField(allow_empty_file=False): a content part without a byte.
      else throw new ValidationError('BootResource', { content: ['The submitted file is empty.'] });
      return resourceWithSets(ctx, resource, 201);
    } finally {
      await content.abort();
    }
  },
};

/** The answer of a create and of `boot-resource read`: MAAS's dict with its sets, and where to upload a file. */
export async function resourceWithSets(ctx: ActionContext, resource: BootResource, status = 200): Promise<ApiAnswer> {
  const sets = await ctx.deps.resourceSets.listForResource(resource.id);
  const rackStates = await ctx.deps.racks?.imageRackStates();
  const rackState = rackStates && ((version: string) => rackStates(resource, version));
  const uploadUri = resource.rtype === 'uploaded' ? (fileId: number) => ctx.uri(`boot-resources/${resource.id}/upload/${fileId}/`) : undefined;
  const running = await importRunning(ctx.deps.importRuns);
  return json({ ...bootResourceJson(resource, sets, ctx.uri, rackState, running), sets: resourceSetsJson(sets, uploadUri) }, status);
}

/** The `content` part of a create, streamed into a partial of the store as it arrives. */
class ContentPart implements PartSink {
  seen = false;
  #partial: PartialFile | undefined;
  #opening: Promise<PartialFile> | undefined;

  constructor(private readonly ctx: ActionContext) {}

  write(chunk: Buffer): Promise<void> | undefined {
    this.seen = true;
    if (this.#partial) return this.#partial.push(chunk);
    this.#opening ??= this.ctx.deps.uploads.contentPartial();
    return this.#opening.then((partial) => {
      this.#partial = partial;
      return partial.push(chunk);
    });
  }

  async end(): Promise<void> {
    this.seen = true;
  }

  /** The content, verified into the store; undefined when the request carried none. */
  async stored(): Promise<StoredBlob | undefined> {
    const partial = this.#partial;
    if (!partial) return undefined;
    this.#partial = undefined;
    return partial.finalize();
  }

  /** Drops content that was not stored (a refused form, a broken body). */
  async abort(): Promise<void> {
    const partial = this.#partial;
    this.#partial = undefined;
    await partial?.discard();
  }
}

/**
 * `PUT boot-resources/{resource_id}/upload/{id}/`: one chunk of a file, application/octet-stream. Hidden from
 * describe as MAAS 3.4 hides it: the CLI reaches it through the create's upload_uri.
 */
export const bootResourceUploadResource: ApiResource = {
  name: 'BootResourceFileUploadHandler',
  path: 'boot-resources/{resource_id}/upload/{id}/',
  doc: 'Upload a boot resource file.',
  hidden: true,
  actions: [
    {
      name: 'update',
      method: 'PUT',
      op: null,
      streamsBody: true,
      summary: 'Upload a chunk of a boot resource file.',
      handle: async (ctx) => {
        const resourceId = pathId(ctx.path.resource_id, 'BootResource');
        const fileId = pathId(ctx.path.id, 'BootResourceFile');
        await ctx.deps.uploads.receive(resourceId, fileId, {
          stream: ctx.body?.stream ?? emptyStream(),
          length: ctx.body?.length,
          contentRange: ctx.body?.range,
        });
        return text('OK');
      },
    },
  ],
};

async function* emptyStream(): AsyncGenerator<Buffer> {}
