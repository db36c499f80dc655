import { Command } from 'commander';
import { createLogger } from '@bootsync/shared/logging';
import { resolveRackConfig, RACK_DEFAULTS, type RackConfigInput } from './config/index.js';
import { startRackDaemon } from './daemon/index.js';
import { RegistrationRefusedError } from './errors/index.js';

const program = new Command('bootsync-rack')
  .description('Rack daemon: pulls boot images from its region through BullMQ jobs and serves them at /images/')
  .option('--region-url <URL>', "the region's base URL, e.g. http://10.0.0.2:5240")
  .option('--secret-file <FILE>', "file holding the region's secret (<region data dir>/secret)")
  .option('--name <NAME>', 'rack name (letters, digits, . _ -; default: the host name)')
  .option('--data-dir <DIR>', `snapshots and cache (default ${RACK_DEFAULTS.dataDir})`)
  .option('--listen <HOST:PORT>', `HTTP address (default ${RACK_DEFAULTS.listen})`)
  .option('--redis-url <URL>', `Redis shared with the region (default ${RACK_DEFAULTS.redisUrl})`)
  .option('--snapshot-grace <DURATION>', `how long a replaced snapshot stays (default ${RACK_DEFAULTS.snapshotGrace})`);

const logger = createLogger('bootsync-rack');

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<Record<string, string | undefined>>();
  const flags: RackConfigInput = {
    'region-url': o.regionUrl, 'secret-file': o.secretFile, name: o.name, 'data-dir': o.dataDir,
    listen: o.listen, 'redis-url': o.redisUrl, 'snapshot-grace': o.snapshotGrace,
  };
  const config = resolveRackConfig(Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)), process.env);
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
  const event = err instanceof RegistrationRefusedError ? 'rack.register.refused' : 'rack.start.failed';
  logger.error({ event, err });
  process.exitCode = 1;
  // pino writes asynchronously; let it flush before the process ends on its own.
});
