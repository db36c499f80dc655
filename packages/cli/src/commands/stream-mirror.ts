import type { Command } from 'commander';
import { DOWNLOADER_DEFAULTS } from '@bootsync/shared/download';
import { createLogger } from '@bootsync/shared/logging';
import { parseItemFilters } from '@bootsync/shared/streams';
import { UsageError } from '../exit-codes.js';
import { formatDryRun, JsonLinesReporter, planRun, runMirror, TerminalReporter, type MirrorReporter } from '../mirror/index.js';
import { addSourceOptions, sourcePolicy, type SourceOptions } from './stream-options.js';

interface MirrorCommandOptions extends SourceOptions {
  dryRun?: boolean;
  concurrency: number;
}

export function registerStreamMirror(stream: Command): void {
  addSourceOptions(
    stream
      .command('mirror')
      .description('copy a signed mirror into a local directory, as sstream-mirror: documents byte for byte, the selected items verified')
      .argument('<url>', 'source mirror URL or directory, or a .../streams/v1/index.sjson')
      .argument('<dir>', 'the local mirror (created if need be); serve it as it is')
      .argument('[filters...]', 'key=value, key!=value, key~regex, key!~regex (all must match), e.g. arch=amd64 release~(jammy|noble)'),
  )
    .option('--dry-run', 'print what would be fetched and removed, with sizes, and change nothing')
    .option('--concurrency <n>', 'files fetched at once', parseConcurrency, DOWNLOADER_DEFAULTS.concurrency)
    .action(async (url: string, dir: string, filterTexts: string[], options: MirrorCommandOptions) => {
      const filters = parseItemFilters(filterTexts);
      const common = {
        source: url,
        dir,
        policy: await sourcePolicy(options),
        filters,
        max: options.max,
        concurrency: options.concurrency,
      };
      if (options.dryRun) {
        process.stdout.write(formatDryRun(await planRun({ ...common, reporter: quiet })));
        return;
      }
      await runMirror({ ...common, reporter: reporterFor() });
    });
}

/** A bar on a terminal; one JSON line per event for cron, systemd and scripts. */
function reporterFor(): MirrorReporter {
  return process.stderr.isTTY ? new TerminalReporter(process.stderr) : new JsonLinesReporter(createLogger('bootsync-mirror'));
}

function parseConcurrency(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > 64) throw new UsageError(`--concurrency takes a whole number from 1 to 64, not ${JSON.stringify(text)}`);
  return n;
}

const quiet: MirrorReporter = {
  started() {},
  planned() {},
  selectionChanged() {},
  progress() {},
  fileStored() {},
  fileFailed() {},
  fileRemoved() {},
  documentWritten() {},
  documentSkipped() {},
  documentRemoved() {},
  finished() {},
  failed() {},
};
