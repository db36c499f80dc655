import type { Command } from 'commander';
import { MaasApiClient } from '../api-client/index.js';
import type { Profile } from '../profiles/index.js';
import { formatResponse } from './api-output.js';
import { createWithChunkedUpload } from './chunked-upload.js';
import { waitForImport } from './import-wait.js';
import { parseKeyValues } from './key-values.js';

type Handler = Profile['description']['handlers'][number];

/** maascli's command word for a handler: `BootSourceSelectionsHandler` → `boot-source-selections`. */
function commandWord(handlerName: string): string {
  return handlerName
    .replace(/Handler$/, '')
    .split(/(?=[A-Z])/)
    .map((w) => w.toLowerCase())
    .join('-');
}

/**
 * `bootsync PROFILE RESOURCE ACTION [positional...] [key=value...]`, one command per stored profile, its resources
 * and actions built from the describe document saved at login, as maascli builds its commands: nothing here
 * repeats the region's route table, so new handlers (rackcontrollers) appear after the next login.
 */
export function registerProfileCommands(program: Command, profiles: readonly Profile[]): void {
  for (const profile of profiles) {
    const profileCmd = program.command(profile.name).description(`call the region at ${profile.url}`);
    for (const handler of profile.description.handlers) {
      const resourceCmd = profileCmd.command(commandWord(handler.name)).description(handler.path);
      for (const action of handler.actions) addAction(resourceCmd, profile, handler, action);
    }
  }
}

function addAction(resourceCmd: Command, profile: Profile, handler: Handler, action: Handler['actions'][number]): void {
  const isImport = commandWord(handler.name) === 'boot-resources' && action.op === 'import';
  // As maascli swaps in its own action for this one: the image goes up in chunks, not in one request.
  const isUpload = commandWord(handler.name) === 'boot-resources' && action.name === 'create';
  const cmd = resourceCmd
    .command(action.name.replace(/_/g, '-'))
    .description(action.doc.split('\n')[0] ?? '')
    .argument('[args...]', `${handler.params.map((p) => p.toUpperCase()).join(' ')} then key=value or key@=FILE`.trim())
    .option('--table', 'print an aligned table instead of JSON');
  if (isImport) {
    cmd
      .option('--wait', 'follow the import until it ends: a progress bar on a terminal, plain lines otherwise')
      .option('--poll-interval <seconds>', 'how often --wait asks the region', '1');
  }
  cmd.action(async (args: string[], options: { table?: boolean; wait?: boolean; pollInterval?: string }) => {
    const positional = args.slice(0, handler.params.length);
    if (positional.length < handler.params.length) {
      cmd.error(`missing ${handler.params.slice(positional.length).map((p) => p.toUpperCase()).join(' ')}`);
    }
    const pollSeconds = Number(options.pollInterval);
    if (options.wait && !(pollSeconds > 0)) cmd.error(`--poll-interval takes a number of seconds > 0, not '${options.pollInterval}'`);
    const path = handler.params.reduce((p, name, i) => p.replace(`{${name}}`, encodeURIComponent(positional[i]!)), handler.path);
    const client = new MaasApiClient(profile.url, profile.key);
    const rest = args.slice(handler.params.length);
    if (isUpload) {
      const created = await createWithChunkedUpload(client, path, rest);
      const resource = JSON.parse(created) as { resource_uri: string };
      process.stdout.write(formatResponse(await client.call('GET', resource.resource_uri), options.table === true));
      return;
    }
    const res = await client.call(action.method, path, { op: action.op, fields: parseKeyValues(rest) });
    process.stdout.write(formatResponse(res, options.table === true));
    if (options.wait) {
      const outcome = await waitForImport(client, handler.path, pollSeconds * 1000);
      if (outcome !== 'succeeded') process.exitCode = 1;
    }
  });
}
