import { Command } from 'commander';
import { pino } from 'pino';
import { BootsyncError } from '@bootsync/shared/errors';
import { ConfigError, loadConfig, optionHelp, type AnyOptionSpec } from '@bootsync/shared/config';
import { containDependencyFaults } from '@bootsync/shared/download';
import { createLogger, type Logger } from '@bootsync/shared/logging';
import { regionOptions } from './config/index.js';
import { startRegion } from './daemon.js';
import { formatApiKey } from './db/index.js';
import { migrateSqliteToPostgres } from './migrate-db.js';
import { openRegionState } from './region-state.js';

/** SIGTERM must end the process within 10 s even if something hangs; leave a margin. */
const STOP_DEADLINE_MS = 9_000;

function addOption(command: Command, key: string, spec: AnyOptionSpec): void {
  const { flags, description } = optionHelp(key, spec);
  command.option(flags, description);
}

async function runDaemon(flags: Record<string, unknown>): Promise<void> {
  const logger = createLogger('bootsync-region');
  // No download, whatever its server does, may end the region (docs/reliability.md).
  containDependencyFaults(logger, (err) => logger.fatal({ event: 'region.crashed', err }, 'unexpected exception; exiting for a restart'));
  const { values: options } = await loadConfig(regionOptions, { flags, env: process.env });
  const region = await startRegion(options, logger, 'full');
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ event: 'region.signal', signal }, `received ${signal}`);
    setTimeout(() => {
      logger.error({ event: 'region.stop_timeout', ms: STOP_DEADLINE_MS }, 'clean stop took too long; exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    region.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ event: 'region.stop_failed', err }, 'region failed to stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/**
 * Prints an API key as the one line of stdout (everything else goes to stderr): the admin's, or with --user the
 * key of that user, created on first use (an admin only with --admin; other users read but change nothing).
 */
async function printApiKey(flags: Record<string, unknown>, logger: Logger): Promise<void> {
  const { user, admin, ...rest } = flags;
  const { values: options } = await loadConfig(regionOptions, { flags: rest, env: process.env });
  const { identity, repositories } = await openRegionState(options);
  try {
    const keys = repositories.apiKeys;
    const key = typeof user === 'string' ? await keys.ensureUser(user, admin === true) : await keys.ensureAdmin();
    logger.info({ event: 'region.apikey_read', dataDir: identity.paths.root, user: key.name, isSuperuser: key.isSuperuser }, 'API key');
    process.stdout.write(`${formatApiKey(key)}\n`);
  } finally {
    await repositories.db.close();
  }
}

const program = new Command('bootsync-region')
  .description('The bootsync region: keeps boot sources, imports images into its store, serves the MAAS API.')
  .enablePositionalOptions()
  .showHelpAfterError();
for (const [key, spec] of Object.entries(regionOptions)) addOption(program, key, spec);
program.action((flags: Record<string, unknown>) => runDaemon(flags));

const apikey = program
  .command('apikey')
  .description('print an API key (consumer:token:secret), creating it on first use: the admin\'s, or the --user\'s')
  .option('--user <NAME>', 'the key of this user; a user who only reads unless --admin')
  .option('--admin', 'with --user: the user is an admin (may change sources, selections and settings, and import)');
addOption(apikey, 'dataDir', regionOptions.dataDir);
addOption(apikey, 'databaseUrl', regionOptions.databaseUrl);
addOption(apikey, 'config', regionOptions.config);
apikey.action((flags: Record<string, unknown>) => printApiKey(flags, createLogger('bootsync-region', { destination: pino.destination(2) })));

/** Prints the rows copied, one `table rows` line each, on stdout; logs go to stderr. */
async function migrateDb(flags: Record<string, unknown>, logger: Logger): Promise<void> {
  const { fromSqlite, ...rest } = flags;
  const { values: options } = await loadConfig(regionOptions, { flags: rest, env: process.env });
  if (options.databaseUrl === undefined) {
    throw new ConfigError('--database-url', { kind: 'default' }, 'none', 'migrate-db copies into the PostgreSQL database it names (or BOOTSYNC_DATABASE_URL)');
  }
  const copied = await migrateSqliteToPostgres(String(fromSqlite), options.databaseUrl, logger);
  for (const [table, rows] of Object.entries(copied)) process.stdout.write(`${table} ${rows}\n`);
}

const migrateDbCommand = program
  .command('migrate-db')
  .description("copy a SQLite region (its region.db) into an empty PostgreSQL database, to run the region on --database-url")
  .requiredOption('--from-sqlite <FILE>', "the region's SQLite database: region.db in its --data-dir (stop the region first)");
addOption(migrateDbCommand, 'databaseUrl', regionOptions.databaseUrl);
addOption(migrateDbCommand, 'config', regionOptions.config);
migrateDbCommand.action((flags: Record<string, unknown>) => migrateDb(flags, createLogger('bootsync-region', { destination: pino.destination(2) })));

program.parseAsync(process.argv).catch((err: unknown) => {
  // Operator mistakes (a bad flag, an unreadable data dir) get one readable line; anything else a stack.
  process.stderr.write(`bootsync-region: ${err instanceof BootsyncError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(2);
});
