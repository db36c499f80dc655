import type { Command } from 'commander';
import { ApiRequestError, apiRootOf, MaasApiClient } from '../api-client/index.js';
import { UsageError } from '../exit-codes.js';
import { ProfileStore, type ApiDescription } from '../profiles/index.js';

/** Words `bootsync` uses itself; a profile cannot take them. */
const RESERVED = new Set(['login', 'logout', 'stream', 'help']);

export function registerLoginCommands(program: Command, store = new ProfileStore()): void {
  program
    .command('login')
    .description('check an API key against a region and remember it as a profile (as `maas login`)')
    .argument('<profile>', 'a name for this region, used as `bootsync <profile> ...` afterwards')
    .argument('<url>', 'the region, e.g. http://region:5240/MAAS/')
    .argument('<key>', 'API key consumer_key:token_key:token_secret (bootsync-region apikey prints it)')
    .action(async (name: string, url: string, key: string) => {
      if (RESERVED.has(name) || !/^[A-Za-z0-9][\w.-]*$/.test(name)) {
        throw new UsageError(`'${name}' cannot name a profile: use letters, digits, '.', '_' or '-', and not ${[...RESERVED].join(', ')}`);
      }
      const client = new MaasApiClient(apiRootOf(url), key);
      try {
        await client.call('GET', 'users/', { op: 'whoami' });
      } catch (err) {
        if (err instanceof ApiRequestError && err.status === 401) throw new UsageError(`the region at ${client.apiRoot} rejected the API key`);
        throw err;
      }
      const describe = await client.call('GET', 'describe/', { signed: false });
      const doc = JSON.parse(describe.body) as ApiDescription;
      store.save({ name, url: client.apiRoot, key, description: { handlers: doc.handlers } });
      process.stdout.write(`You are now logged in to the region at ${client.apiRoot} with the profile name '${name}'.\n`);
    });

  program
    .command('logout')
    .description('forget a profile')
    .argument('<profile>')
    .action((name: string) => {
      if (!store.remove(name)) throw new UsageError(`no profile named '${name}' in ${store.file}`);
    });
}
