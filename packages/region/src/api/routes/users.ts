import { json } from '../answer.js';
import type { ApiResource } from '../route-table.js';

/** `users/?op=whoami`: maas login calls it, signed, to check the key (200 = good, 401 = rejected). */
export const usersResource: ApiResource = {
  name: 'UsersHandler',
  path: 'users/',
  doc: 'Manage the user accounts of this region.',
  actions: [
    {
      name: 'whoami',
      method: 'GET',
      op: 'whoami',
      summary: 'Retrieve the logged-in user.',
      handle: ({ user, uri }) =>
        json({
          username: user.username,
          email: '',
          is_superuser: user.isSuperuser,
          is_local: true,
          resource_uri: uri(`users/${encodeURIComponent(user.username)}/`),
        }),
    },
  ],
};
