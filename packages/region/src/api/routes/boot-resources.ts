import { maasDate } from '../maas-date.js';
import { json, noContent, text } from '../answer.js';
import { BadRequestError, FormError } from '../errors.js';
import { parseWholeNumber, pathId } from '../params.js';
import type { ActionContext, ApiResource } from '../route-table.js';
import { createBootResource, resourceWithSets } from './boot-resource-uploads.js';
import { bootResourceJson, importRunning, isResourceType } from './representations.js';

const resourceIdOf = (ctx: ActionContext): number => pathId(ctx.path.id, 'BootResource');

export const bootResourcesResource: ApiResource = {
  name: 'BootResourcesHandler',
  path: 'boot-resources/',
  doc: 'Manage the boot resources: the images the region holds, and their import.',
  actions: [
    {
      name: 'read',
      method: 'GET',
      op: null,
      summary: 'List boot resources, each with its status and when it was last synced.',
      params: [{ name: 'type', type: 'String', doc: 'Optional. Only resources of this type: synced, uploaded or all.' }],
      handle: async ({ deps, args, uri }) => {
        const type = args.text('type') ?? 'all';
        // MAAS 3.5+ dropped "generated": a plain-text 400 listing the types as Python prints the list.
        if (type !== 'all' && (type === 'generated' || !isResourceType(type))) {
          throw new BadRequestError(`'${type}' is not a valid boot resource type. Available types: ['synced', 'uploaded']`);
        }
        const resources = await deps.bootResources.list(type === 'all' ? {} : { rtype: type });
        const running = await importRunning(deps.importRuns);
        // One read of the racks for every image: with 1,000 racks, a read per image was most of this answer's time.
        const rackState = await deps.racks?.imageRackStates();
        const sets = await deps.resourceSets.listByResource();
        return json(resources.map((r) => bootResourceJson(r, sets.get(r.id) ?? [], uri, rackState && ((version) => rackState(r, version)), running)));
      },
    },
    createBootResource,
    {
      name: 'import',
      method: 'POST',
      op: 'import',
      summary: 'Import the selected boot resources now (joins an import already queued or running).',
      handle: async ({ deps }) => {
        await deps.imports.triggerImport();
        return text('Import of boot resources started');
      },
    },
    {
      name: 'is_importing',
      method: 'GET',
      op: 'is_importing',
      summary: 'Whether an import is queued or running.',
      handle: async ({ deps }) => json(await deps.imports.isImporting()),
    },
    {
      name: 'stop_import',
      method: 'POST',
      op: 'stop_import',
      summary: 'Stop the running import; what was downloaded so far is kept for the next one.',
      handle: async ({ deps }) => {
        await deps.imports.stopImport();
        return text('Import of boot resources is being stopped');
      },
    },
    {
      name: 'import_status',
      method: 'GET',
      op: 'import_status',
      summary: 'Whether an import is running, and the last import runs.',
      params: [{ name: 'runs', type: 'Int', doc: 'Optional. How many runs to list, newest first (default 5, at most 100).' }],
      handle: async ({ deps, args }) => {
        const given = args.text('runs');
        const runs = given === undefined ? 5 : parseWholeNumber('runs', given);
        if (runs < 1 || runs > 100) throw new FormError({ runs: ['Ensure this value is between 1 and 100.'] });
        return json({
          importing: await deps.imports.isImporting(),
          runs: (await deps.imports.lastRuns(runs)).map((r) => ({
            id: r.id,
            started: maasDate(r.started),
            finished: r.finished === null ? null : maasDate(r.finished),
            outcome: r.outcome,
            bytes: r.bytes,
            errors: r.errors,
          })),
        });
      },
    },
  ],
};

export const bootResourceResource: ApiResource = {
  name: 'BootResourceHandler',
  path: 'boot-resources/{id}/',
  doc: 'Manage one boot resource.',
  actions: [
    {
      name: 'read',
      method: 'GET',
      op: null,
      summary: 'Read a boot resource with its sets, their files and download progress.',
      handle: async (ctx) => resourceWithSets(ctx, await ctx.deps.bootResources.get(resourceIdOf(ctx))),
    },
    {
      name: 'delete',
      method: 'DELETE',
      op: null,
      summary: 'Delete a boot resource; an upload\'s files go at once, a synced image\'s at the next clean-up, unless another image uses them.',
      handle: async (ctx) => {
        await ctx.deps.uploads.delete(resourceIdOf(ctx));
        return noContent();
      },
    },
  ],
};
