import { validateSelection, type Selection as WantedImages } from '@bootsync/shared/select';
import type { BootSource, SelectionUpdate } from '../../db/index.js';
import { json, noContent } from '../answer.js';
import { BadRequestError, FormError } from '../errors.js';
import { pathId, required, type ParamBag } from '../params.js';
import type { ActionContext, ApiResource, ParamDoc } from '../route-table.js';
import { selectionJson } from './representations.js';
import { offerForSelection } from './selection-offer.js';

const SELECTION_PARAMS: readonly ParamDoc[] = [
  { name: 'os', type: 'String', doc: 'The OS to import (ubuntu, centos...).' },
  { name: 'release', type: 'String', doc: 'The release to import (noble, jammy...).' },
  { name: 'arches', type: 'String', doc: 'Optional. Architectures to import; repeat or comma-separate; `*` for all (the default).' },
  { name: 'subarches', type: 'String', doc: 'Optional. Subarchitectures to import; `*` for all (the default).' },
  { name: 'labels', type: 'String', doc: 'Optional. Labels to import (stable, candidate); `*` for all (the default).' },
];

function selectionFields(args: ParamBag): SelectionUpdate {
  const fields: { -readonly [K in keyof SelectionUpdate]: SelectionUpdate[K] } = {};
  for (const key of ['os', 'release'] as const) {
    const value = args.text(key);
    if (value !== undefined) fields[key] = value.trim();
  }
  for (const key of ['arches', 'subarches', 'labels'] as const) {
    const list = args.list(key);
    if (list !== undefined) fields[key] = list;
  }
  return fields;
}

/** MAAS's selection form check: a selection must match something the source offers (selection-offer.ts). */
async function checkOffered(ctx: ActionContext, source: BootSource, selection: WantedImages): Promise<void> {
  const errors = validateSelection(selection, await offerForSelection(ctx.deps, source, ctx.signal));
  if (errors.length > 0) throw new FormError(Object.fromEntries(errors.map((e) => [e.field, [e.message]])));
}

const ANY = ['*'];
const sourceIdOf = (ctx: ActionContext): number => pathId(ctx.path.boot_source_id, 'BootSource');
const selectionIdOf = (ctx: ActionContext): number => pathId(ctx.path.id, 'BootSourceSelection');

export const bootSourceSelectionsResource: ApiResource = {
  name: 'BootSourceSelectionsHandler',
  path: 'boot-sources/{boot_source_id}/selections/',
  doc: 'Manage the selections of a boot source: which images are imported from it.',
  actions: [
    {
      name: 'read',
      method: 'GET',
      op: null,
      summary: 'List the selections of a boot source.',
      handle: async (ctx) => json((await ctx.deps.selections.listForSource(sourceIdOf(ctx))).map((s) => selectionJson(s, ctx.uri))),
    },
    {
      name: 'create',
      method: 'POST',
      op: null,
      summary: 'Create a selection.',
      description:
        'Checked against what the source offers (read now when the region has not read it within an import interval); ' +
        'refused when nothing matches, and with a 503 when the source cannot be read and was never read.',
      params: SELECTION_PARAMS,
      handle: async (ctx) => {
        const bootSourceId = sourceIdOf(ctx);
        const source = await ctx.deps.bootSources.get(bootSourceId);
        const fields = selectionFields(ctx.args);
        const wanted = {
          os: required(ctx.args, 'os').trim(),
          release: required(ctx.args, 'release').trim(),
          arches: fields.arches ?? ANY,
          subarches: fields.subarches ?? ANY,
          labels: fields.labels ?? ANY,
        };
        await checkOffered(ctx, source, wanted);
        return json(selectionJson(await ctx.deps.selections.create(bootSourceId, wanted), ctx.uri));
      },
    },
  ],
};

export const bootSourceSelectionResource: ApiResource = {
  name: 'BootSourceSelectionHandler',
  path: 'boot-sources/{boot_source_id}/selections/{id}/',
  doc: 'Manage one selection of a boot source.',
  actions: [
    {
      name: 'read',
      method: 'GET',
      op: null,
      summary: 'Read a selection.',
      handle: async (ctx) => json(selectionJson(await ctx.deps.selections.get(sourceIdOf(ctx), selectionIdOf(ctx)), ctx.uri)),
    },
    {
      name: 'update',
      method: 'PUT',
      op: null,
      summary: 'Update a selection.',
      params: SELECTION_PARAMS,
      handle: async (ctx) => {
        const [bootSourceId, id] = [sourceIdOf(ctx), selectionIdOf(ctx)];
        const current = await ctx.deps.selections.get(bootSourceId, id);
        const patch = selectionFields(ctx.args);
        await checkOffered(ctx, await ctx.deps.bootSources.get(bootSourceId), { ...current, ...patch });
        return json(selectionJson(await ctx.deps.selections.update(bootSourceId, id, patch), ctx.uri));
      },
    },
    {
      name: 'delete',
      method: 'DELETE',
      op: null,
      summary: 'Delete a selection.',
      description: 'Refused for the selection of the commissioning release (commissioning_osystem/commissioning_distro_series).',
      handle: async (ctx) => {
        const [bootSourceId, id] = [sourceIdOf(ctx), selectionIdOf(ctx)];
        const selection = await ctx.deps.selections.get(bootSourceId, id);
        const config = await ctx.deps.config.get();
        // MAAS 3.6/3.7 BootSourceSelection.delete: machines could no longer be commissioned.
        if (selection.os === config.commissioning_osystem && selection.release === config.commissioning_distro_series) {
          throw new BadRequestError(`Unable to delete ${selection.os} ${selection.release}. It is the operating system used for commissioning.`);
        }
        await ctx.deps.selections.delete(bootSourceId, id);
        return noContent();
      },
    },
  ],
};
