import { Command } from 'commander';
import { BootsyncError } from '@bootsync/shared/errors';
import { optionHelp } from '@bootsync/shared/config';
import { containDependencyFaults } from '@bootsync/shared/download';
import { createLogger } from '@bootsync/shared/logging';
import { ProtocolMismatchError, RegistrationRefusedError } from '@bootsync/shared/rack-protocol';
import { loadRackConfig, rackOptions } from './config/index.js';
import { startRackDaemon } from './daemon/index.js';

const program = new Command('bootsync-rack')
  .description('Rack daemon: pulls boot images from its region through BullMQ jobs and serves them at /images/')
  .showHelpAfterError();
for (const [key, spec] of Object.entries(rackOptions)) {
  const { flags, description } = optionHelp(key, spec);
  // A repeatable flag collects every value given, in order; its spec parses the list.
  if (spec.repeatable) program.option(flags, description, (value: string, given: string[] | undefined) => [...(given ?? []), value]);
  else program.option(flags, description);
}

const logger = createLogger('bootsync-rack');

async function main(): Promise<void> {
  program.parse();
  // No download, whatever its server does, may end the rack (docs/reliability.md).
  containDependencyFaults(logger, (err) => logger.fatal({ event: 'rack.crashed', err }, 'unexpected exception; exiting for a restart'));
  const config = await loadRackConfig(program.opts(), process.env).catch((err: unknown) => {
    // An operator's mistake in a flag, variable or file: one readable line and exit 2, as the region does.
    if (!(err instanceof BootsyncError)) throw err;
    process.stderr.write(`bootsync-rack: ${err.message}\n`);
    process.exit(2);
  });
  const daemon = await startRackDaemon(config, logger);
  logger.info({ event: 'rack.started', rack: config.name, url: daemon.url, queue: daemon.queue });
  const shutdown = (signal: string): void => {
    logger.info({ event: 'rack.stopping', rack: config.name, signal });
    daemon.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ event: 'rack.stop.failed', err });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  // Refusals an operator must act on (the secret, the release): logged as such, and systemd's restarts will not help.
  const refused = err instanceof RegistrationRefusedError || err instanceof ProtocolMismatchError;
  const event = refused ? 'rack.register.refused' : 'rack.start.failed';
  logger.error({ event, err });
  process.exitCode = 1;
  // pino writes asynchronously; let it flush before the process ends on its own.
});
