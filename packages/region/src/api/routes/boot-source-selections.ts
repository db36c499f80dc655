import { summarizeOffer, validateSelection, type Selection as WantedImages } from '@bootsync/shared/select';
import type { SelectionUpdate } from '../../db/index.js';
import { json, noContent } from '../answer.js';
import type { ApiDeps } from '../deps.js';
import { FormError } from '../errors.js';
import { pathId, required, type ParamBag } from '../params.js';
import type { ActionContext, ApiResource, ParamDoc } from '../route-table.js';
import { selectionJson } from './representations.js';

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

/**
 * MAAS's selection form check: a selection must match something the source offers. Only possible once the source
 * was read; before that (a new source), any selection is accepted and the import reports what it finds.
 */
function checkOffered(deps: ApiDeps, bootSourceId: number, selection: WantedImages): void {
  const cached = deps.sourceCache.list(bootSourceId);
  if (cached.length === 0) return;
  const error = validateSelection(selection, summarizeOffer(cached.flatMap((c) => c.items)));
  if (error) throw new FormError({ [error.field]: [error.message] });
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
      handle: (ctx) => json(ctx.deps.selections.listForSource(sourceIdOf(ctx)).map((s) => selectionJson(s, ctx.uri))),
    },
    {
      name: 'create',
      method: 'POST',
      op: null,
      summary: 'Create a selection.',
      description: 'Refused when the source was read and offers nothing that matches.',
      params: SELECTION_PARAMS,
      handle: (ctx) => {
        const bootSourceId = sourceIdOf(ctx);
        ctx.deps.bootSources.get(bootSourceId);
        const fields = selectionFields(ctx.args);
        const wanted = {
          os: required(ctx.args, 'os').trim(),
          release: required(ctx.args, 'release').trim(),
          arches: fields.arches ?? ANY,
          subarches: fields.subarches ?? ANY,
          labels: fields.labels ?? ANY,
        };
        checkOffered(ctx.deps, bootSourceId, wanted);
        return json(selectionJson(ctx.deps.selections.create(bootSourceId, wanted), ctx.uri));
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
      handle: (ctx) => json(selectionJson(ctx.deps.selections.get(sourceIdOf(ctx), selectionIdOf(ctx)), ctx.uri)),
    },
    {
      name: 'update',
      method: 'PUT',
      op: null,
      summary: 'Update a selection.',
      params: SELECTION_PARAMS,
      handle: (ctx) => {
        const [bootSourceId, id] = [sourceIdOf(ctx), selectionIdOf(ctx)];
        const current = ctx.deps.selections.get(bootSourceId, id);
        const patch = selectionFields(ctx.args);
        checkOffered(ctx.deps, bootSourceId, { ...current, ...patch });
        return json(selectionJson(ctx.deps.selections.update(bootSourceId, id, patch), ctx.uri));
      },
    },
    {
      name: 'delete',
      method: 'DELETE',
      op: null,
      summary: 'Delete a selection.',
      handle: (ctx) => {
        ctx.deps.selections.delete(sourceIdOf(ctx), selectionIdOf(ctx));
        return noContent();
      },
    },
  ],
};
