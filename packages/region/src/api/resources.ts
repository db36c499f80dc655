import type { ApiResource } from './route-table.js';
import { bootResourceUploadResource } from './routes/boot-resource-uploads.js';
import { bootResourceResource, bootResourcesResource } from './routes/boot-resources.js';
import { bootSourceSelectionResource, bootSourceSelectionsResource } from './routes/boot-source-selections.js';
import { bootSourceResource, bootSourcesResource } from './routes/boot-sources.js';
import { maasResource } from './routes/maas-config.js';
import { rackControllerResource, rackControllersResource } from './routes/rack-controllers.js';
import { usersResource } from './routes/users.js';

/**
 * Every handler the API serves, in describe's order. The plugin registers routes from this table and describe is
 * built from it, so the two cannot drift. Add a handler here (e.g. `rackcontrollers/`) and it is served and described.
 */
export const API_RESOURCES: readonly ApiResource[] = [
  usersResource,
  bootSourcesResource,
  bootSourceResource,
  bootSourceSelectionsResource,
  bootSourceSelectionResource,
  bootResourcesResource,
  bootResourceResource,
  bootResourceUploadResource,
  maasResource,
  rackControllersResource,
  rackControllerResource,
];
