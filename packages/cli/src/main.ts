#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerApiCommands } from './commands/api.js';
import { registerStreamCommands } from './commands/stream.js';
import { describeError, EXIT, exitCodeFor } from './exit-codes.js';

// The composition root of `bootsync`: each command group lives in its own file under commands/.
const program = new Command('bootsync')
  .description('boot-image sync for bare-metal provisioning')
  .exitOverride()
  .showHelpAfterError();
try {
  registerStreamCommands(program);
  // Reads the profiles file: a broken one is reported like any other error, not as a stack trace.
  registerApiCommands(program);
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander has printed its message; help and --version are not failures
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.stderr.write(`${describeError(err)}\n`);
    process.exitCode = exitCodeFor(err);
  }
}
