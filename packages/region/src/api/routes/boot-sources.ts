import { summarizeOffer } from '@bootsync/shared/select';
import type { BootSourceUpdate } from '../../db/index.js';
import { json, noContent } from '../answer.js';
import { FormError } from '../errors.js';
import { parseBoolean, parseWholeNumber, pathId, required, type ParamBag } from '../params.js';
import type { ActionContext, ApiResource, ParamDoc } from '../route-table.js';
import { probeSource } from './probe.js';
import { bootSourceJson } from './representations.js';

const SOURCE_PARAMS: readonly ParamDoc[] = [
  {
    name: 'url',
    type: 'String',
    doc: 'The URL of the simplestreams mirror (its root, or a streams/v1/*.sjson index): http(s):// as Django\'s URLField ' +
      'takes it (http:// assumed without a scheme), or file:///PATH for a mirror on the region; unique.',
  },
  { name: 'name', type: 'String', doc: 'Optional. A unique name for the source; defaults to its URL.' },
  {
    name: 'priority',
    type: 'Int',
    doc: 'Optional. Sources with a higher priority are read first; unique, >= 0; defaults to the highest + 1.',
  },
  { name: 'enabled', type: 'Boolean', doc: 'Optional. Whether imports read this source (true by default).' },
  {
    name: 'keyring_filename',
    type: 'String',
    doc: 'Optional. Path on the region of the keyring that verifies the mirror; empty (`keyring_filename=`) clears it.',
  },
  {
    name: 'keyring_data',
    type: 'File',
    doc: 'Optional. The keyring itself (`keyring_data@=FILE`), instead of keyring_filename; empty clears it.',
  },
  {
    name: 'skip_keyring_verification',
    type: 'Boolean',
    doc: 'Optional. Read the mirror unsigned; defaults to true only for a URL ending in .json.',
  },
];

const FETCH_PARAMS = SOURCE_PARAMS.filter((p) => ['url', 'keyring_filename', 'keyring_data', 'skip_keyring_verification'].includes(p.name));

/**
 * The boot source fields present in a request. keyring_data comes as a file part (raw bytes) or as text holding
 * base64, the form the API answers it in. Naming one keyring form leaves the other as it is: a source holding both
 * is refused (as MAAS does), so switching forms means clearing the other one in the same request.
 */
function sourceFields(args: ParamBag): BootSourceUpdate {
  const fields: { -readonly [K in keyof BootSourceUpdate]: BootSourceUpdate[K] } = {};
  const text = (k: string): string | undefined => args.text(k);
  if (text('url') !== undefined) fields.url = text('url');
  if (text('name') !== undefined) fields.name = text('name');
  if (text('priority') !== undefined) fields.priority = parseWholeNumber('priority', text('priority')!);
  if (text('enabled') !== undefined) fields.enabled = parseBoolean('enabled', text('enabled')!);
  if (text('skip_keyring_verification') !== undefined) {
    fields.skipKeyringVerification = parseBoolean('skip_keyring_verification', text('skip_keyring_verification')!);
  }
  const keyringData = keyringDataArg(args);
  if (keyringData !== undefined) fields.keyringData = keyringData;
  if (text('keyring_filename') !== undefined) fields.keyringFilename = text('keyring_filename')!.trim();
  return fields;
}

function keyringDataArg(args: ParamBag): Uint8Array | null | undefined {
  const raw = args.raw('keyring_data');
  if (raw === undefined) return undefined;
  if (raw.isFile) return raw.bytes.length > 0 ? new Uint8Array(raw.bytes) : null;
  const text = raw.bytes.toString('latin1').replace(/\s/g, '');
  if (text === '') return null;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new FormError({ keyring_data: ['Send the keyring as a file (keyring_data@=FILE) or as base64 text.'] });
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}

const sourceId = (ctx: ActionContext): number => pathId(ctx.path.id, 'BootSource');

export const bootSourcesResource: ApiResource = {
  name: 'BootSourcesHandler',
  path: 'boot-sources/',
  doc: 'Manage the boot sources: the signed simplestreams mirrors images are imported from.',
  actions: [
    {
      name: 'read',
      method: 'GET',
      op: null,
      summary: 'List boot sources, the highest priority first.',
      handle: async ({ deps, uri }) => json((await deps.bootSources.list()).map((s) => bootSourceJson(s, uri))),
    },
    {
      name: 'create',
      method: 'POST',
      op: null,
      summary: 'Create a boot source.',
      description: 'One of keyring_filename or keyring_data is needed unless skip_keyring_verification is true.',
      params: SOURCE_PARAMS,
      handle: async ({ deps, args, uri }) => {
        const url = required(args, 'url');
        return json(bootSourceJson(await deps.bootSources.create({ ...sourceFields(args), url }), uri), 201);
      },
    },
    {
      name: 'fetch',
      method: 'POST',
      op: 'fetch',
      summary: 'Read and verify a boot source without saving it, and list what it offers.',
      description:
        'Answers the images offered (os, release, title, arches, subarches, labels), or a 400 naming why the source ' +
        'could not be read or verified.',
      params: FETCH_PARAMS,
      handle: async ({ deps, args, signal }) => {
        const fields = sourceFields(args);
        const url = required(args, 'url').trim();
        const items = await probeSource(deps.prober, { ...fields, url }, signal);
        return json({ url, images: summarizeOffer(items).images });
      },
    },
  ],
};

export const bootSourceResource: ApiResource = {
  name: 'BootSourceHandler',
  path: 'boot-sources/{id}/',
  doc: 'Manage one boot source.',
  actions: [
    {
      name: 'read',
      method: 'GET',
      op: null,
      summary: 'Read a boot source.',
      handle: async (ctx) => json(bootSourceJson(await ctx.deps.bootSources.get(sourceId(ctx)), ctx.uri)),
    },
    {
      name: 'update',
      method: 'PUT',
      op: null,
      summary: 'Update a boot source.',
      description:
        'Only the fields sent change. keyring_filename and keyring_data exclude each other: to switch a source from ' +
        'one to the other, send the new one and the old one empty (`keyring_data@=FILE keyring_filename=`); ' +
        'sending only the new one is refused with "Only one of keyring_filename or keyring_data can be specified.", ' +
        'as in MAAS.',
      params: SOURCE_PARAMS,
      handle: async (ctx) => json(bootSourceJson(await ctx.deps.bootSources.update(sourceId(ctx), sourceFields(ctx.args)), ctx.uri)),
    },
    {
      name: 'delete',
      method: 'DELETE',
      op: null,
      summary: 'Delete a boot source, with its selections.',
      handle: async (ctx) => {
        await ctx.deps.bootSources.delete(sourceId(ctx));
        return noContent();
      },
    },
  ],
};
