import { NotFoundError } from '../../db/index.js';
import { RACK_STATUSES, type RackQuery, type RackStatus, type RackView } from '../../racks/index.js';
import { json, noContent, text } from '../answer.js';
import type { RackControllers } from '../deps.js';
import { FormError } from '../errors.js';
import { parseWholeNumber, type ParamBag } from '../params.js';
import type { ActionContext, ApiResource, ParamDoc } from '../route-table.js';

function racksOf(ctx: ActionContext): RackControllers {
  if (!ctx.deps.racks) throw new NotFoundError('RackController', ctx.path.name ?? '');
  return ctx.deps.racks;
}

function rackJson(rack: RackView, ctx: ActionContext): Record<string, unknown> {
  return {
    system_id: rack.name,
    hostname: rack.name,
    node_type_name: 'Rack controller',
    connected: rack.connected,
    image_sync_status: rack.status,
    last_image_sync: rack.lastSync,
    last_seen: rack.lastSeen,
    last_error: rack.lastError,
    resource_uri: ctx.uri(`rackcontrollers/${encodeURIComponent(rack.name)}/`),
  };
}

const LIST_PARAMS: readonly ParamDoc[] = [
  { name: 'image_sync_status', type: 'String', doc: `Optional. Only the rack controllers of this image sync status: ${RACK_STATUSES.join(', ')}.` },
  { name: 'offset', type: 'Int', doc: 'Optional. Skip this many of them (by name), to page through a long list.' },
  { name: 'limit', type: 'Int', doc: 'Optional. List at most this many.' },
];

/** The optional filter and page of `rack-controllers read`; without them, every rack as MAAS lists them. */
function rackQuery(args: ParamBag): RackQuery {
  const status = args.text('image_sync_status');
  if (status !== undefined && !(RACK_STATUSES as readonly string[]).includes(status)) {
    throw new FormError({ image_sync_status: [`Select a valid choice. ${status} is not one of the available choices.`] });
  }
  const whole = (field: string): number | undefined => {
    const given = args.text(field);
    if (given === undefined) return undefined;
    const n = parseWholeNumber(field, given);
    if (n < 0) throw new FormError({ [field]: ['Ensure this value is greater than or equal to 0.'] });
    return n;
  };
  const offset = whole('offset');
  const limit = whole('limit');
  return {
    ...(status !== undefined ? { status: status as RackStatus } : {}),
    ...(offset !== undefined ? { offset } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
}

/** `maas $PROFILE rack-controllers read|summary|import-boot-images`. */
export const rackControllersResource: ApiResource = {
  name: 'RackControllersHandler',
  path: 'rackcontrollers/',
  doc: 'Manage the rack controllers syncing images from this region.',
  actions: [
    {
      name: 'read',
      method: 'GET',
      op: null,
      summary: 'List rack controllers with their image sync status.',
      description: 'By name; image_sync_status keeps those of one status, and offset and limit page through them.',
      params: LIST_PARAMS,
      handle: async (ctx) => json((await racksOf(ctx).list(rackQuery(ctx.args))).map((r) => rackJson(r, ctx))),
    },
    {
      name: 'summary',
      method: 'GET',
      op: 'summary',
      summary: 'Count the rack controllers by image sync status.',
      description: 'How many there are, how many are connected, and how many read each image sync status, without listing them.',
      handle: async (ctx) => {
        const counts = await racksOf(ctx).counts();
        return json({ total: counts.total, connected: counts.connected, image_sync_status: counts.byStatus });
      },
    },
    {
      name: 'import_boot_images',
      method: 'POST',
      op: 'import_boot_images',
      summary: 'Import the boot images on all rack controllers.',
      description: 'Each rack pulls from this region now (joining a sync it already has queued), not at its next interval.',
      handle: async (ctx) => {
        await racksOf(ctx).importBootImages();
        return text('Import of boot images started on all rack controllers');
      },
    },
  ],
};

/** `rack-controller read|list-boot-images|import-boot-images|delete NAME`. */
export const rackControllerResource: ApiResource = {
  name: 'RackControllerHandler',
  path: 'rackcontrollers/{name}/',
  doc: 'Manage one rack controller.',
  actions: [
    {
      name: 'read',
      method: 'GET',
      op: null,
      summary: 'Read a rack controller.',
      handle: async (ctx) => json(rackJson(await racksOf(ctx).get(ctx.path.name ?? ''), ctx)),
    },
    {
      name: 'list_boot_images',
      method: 'GET',
      op: 'list_boot_images',
      summary: 'List the boot images a rack controller holds.',
      description:
        'One entry per name and bare architecture with the subarches the rack has for it, sorted, and the rack\'s ' +
        'image sync status (MAAS 3.4\'s shape); a rack that is not connected answers no images and status unknown.',
      handle: async (ctx) => {
        const rack = await racksOf(ctx).get(ctx.path.name ?? '');
        // MAAS 3.4 asks the rack and, when it cannot reach it, answers this.
        if (!rack.connected) return json({ images: [], connected: false, status: 'unknown' });
        return json({ images: rack.images, connected: true, status: rack.status });
      },
    },
    {
      name: 'import_boot_images',
      method: 'POST',
      op: 'import_boot_images',
      summary: 'Import the boot images on this rack controller.',
      description: 'The rack pulls from this region now (joining a sync it already has queued), not at its next interval.',
      handle: async (ctx) => {
        const name = ctx.path.name ?? '';
        await racksOf(ctx).importBootImages(name);
        return text(`Import of boot images started on ${name}`);
      },
    },
    {
      name: 'delete',
      method: 'DELETE',
      op: null,
      summary: 'Deregister a rack controller: its sync schedule and its state go.',
      handle: async (ctx) => {
        await racksOf(ctx).deregister(ctx.path.name ?? '');
        return noContent();
      },
    },
  ],
};
