import type { ApiResource } from './route-table.js';
import { usersResource } from './routes/users.js';

/**
 * Every handler the API serves, in describe's order. The plugin registers routes from this table and describe is
 * built from it, so the two cannot drift. Add a handler here (e.g. `rackcontrollers/`) and it is served and described.
 */
export const API_RESOURCES: readonly ApiResource[] = [
  usersResource,
];
