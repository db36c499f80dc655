import type { Command } from 'commander';
import { ProfileStore } from '../profiles/index.js';
import { registerLoginCommands } from './login.js';
import { registerProfileCommands } from './profile-commands.js';

/** `bootsync login|logout` and `bootsync PROFILE RESOURCE ACTION ...`: the region's MAAS API from the command line. */
export function registerApiCommands(program: Command, store = new ProfileStore()): void {
  registerLoginCommands(program, store);
  registerProfileCommands(program, store.list());
}
