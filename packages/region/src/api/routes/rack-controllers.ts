import { NotFoundError } from '../../db/index.js';
import type { RackView } from '../../racks/index.js';
import { json, noContent, text } from '../answer.js';
import type { RackControllers } from '../deps.js';
import type { ActionContext, ApiResource } from '../route-table.js';

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

/** `maas $PROFILE rack-controllers read|import-boot-images`. */
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
      handle: async (ctx) => json((await racksOf(ctx).list()).map((r) => rackJson(r, ctx))),
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
