import type { Command } from 'commander';
import { ApiRequestError, apiRootOf, MaasApiClient } from '../api-client/index.js';
import { UsageError } from '../exit-codes.js';
import { ProfileStore, type ApiDescription } from '../profiles/index.js';

/** Words `bootsync` uses itself; a profile cannot take them. */
const RESERVED = new Set(['login', 'logout', 'refresh', 'stream', 'help']);

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
      store.save({ name, url: client.apiRoot, key, description: await fetchDescription(client) });
      process.stdout.write(`You are now logged in to the region at ${client.apiRoot} with the profile name '${name}'.\n`);
    });

  program
    .command('refresh')
    .description("fetch the regions' API descriptions again, so new commands appear (as `maas refresh`)")
    .argument('[profiles...]', 'the profiles to refresh; all when none is named')
    .action(async (names: string[]) => {
      const profiles = names.length === 0 ? store.list() : names.map((n) => store.find(n) ?? unknownProfile(n, store));
      for (const profile of profiles) {
        store.save({ ...profile, description: await fetchDescription(new MaasApiClient(profile.url, profile.key)) });
      }
    });

  program
    .command('logout')
    .description('forget a profile')
    .argument('<profile>')
    .action((name: string) => {
      if (!store.remove(name)) unknownProfile(name, store);
    });
}

/** describe/ is unsigned, as maascli fetches it; only the handlers are kept. */
async function fetchDescription(client: MaasApiClient): Promise<ApiDescription> {
  const doc = JSON.parse((await client.call('GET', 'describe/', { signed: false })).body) as ApiDescription;
  return { handlers: doc.handlers };
}

function unknownProfile(name: string, store: ProfileStore): never {
  throw new UsageError(`no profile named '${name}' in ${store.file}`);
}
