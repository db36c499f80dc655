export { formatDryRun } from './dry-run.js';
export { MirrorIncompleteError, MirrorLockedError, MirrorPathConflictError } from './errors.js';
export { MirrorStateError, STATE_DIR } from './mirror-dir.js';
export { JsonLinesReporter, TerminalReporter, type MirrorReporter } from './reporter.js';
export { planRun, runMirror, type MirrorOptions } from './run-mirror.js';
