import { json, noContent } from '../api/answer.js';
import type { ActionContext, ApiResource } from '../api/route-table.js';
import { NotFoundError } from '../db/index.js';
import type { RackSyncState } from '../status/index.js';
import type { RackView } from './rack-service.js';

/** What the MAAS API needs of the racks (the RackService satisfies it). */
export interface RackControllers {
  list(): Promise<RackView[]>;
  get(name: string): Promise<RackView>;
  deregister(name: string): Promise<void>;
  /** The rack side of an image's status (its newest complete set at `version`); undefined while no rack is connected. */
  imageRackState(resource: { readonly name: string; readonly architecture: string }, version: string): RackSyncState | undefined;
}

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

/** `maas $PROFILE rack-controllers read`. */
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
  ],
};

/** `rack-controller read|list-boot-images|delete NAME`. */
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
      handle: async (ctx) => {
        const rack = await racksOf(ctx).get(ctx.path.name ?? '');
        return json({ images: rack.images, connected: rack.connected, status: rack.status });
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
