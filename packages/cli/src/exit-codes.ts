import { BootsyncError } from '@bootsync/shared/errors';
import type { CommandErrorCode } from './errors/index.js';
import { ApiKeyFormatError } from './api-client/index.js';
import { ProfileError } from './profiles/index.js';
import { KeyringError } from '@bootsync/shared/signing';
import { ItemFilterError } from '@bootsync/shared/streams';
import { MirrorLocationError, MirrorReadError } from '@bootsync/shared/source';
import { MirrorIncompleteError, MirrorLockedError } from './mirror/errors.js';
import { MirrorStateError } from './mirror/mirror-dir.js';

/** `bootsync` exit codes: what scripts key on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A bad invocation or a machine that lacks something (a keyring file): exit 2. */
export class UsageError extends BootsyncError<CommandErrorCode> {
  constructor(message: string) {
    super('CLI_ERR_USAGE', message);
  }
}

/**
 * 1 when the data is wrong (bad signature, malformed stream, a file that does not match its checksum, the region
 * refused the call), 2 when the invocation or the environment is (bad filter, a key that is not three parts,
 * unreadable keyring or profiles file, unreachable mirror, a mirror directory in use): the operator fixes different
 * things.
 */
export function exitCodeFor(err: unknown): number {
  // A mirror run that could not fetch everything: bad bytes from the source are data, the rest (network, disk) not.
  if (err instanceof MirrorIncompleteError) return err.badData ? EXIT.failed : EXIT.usage;
  const environment = [
    UsageError,
    ApiKeyFormatError,
    ProfileError,
    KeyringError,
    ItemFilterError,
    MirrorLocationError,
    MirrorReadError,
    MirrorLockedError,
    MirrorStateError,
  ];
  if (environment.some((kind) => err instanceof kind)) return EXIT.usage;
  return EXIT.failed;
}

/** The message for stderr: our errors say what and where already; anything else is a bug, show its stack. */
export function describeError(err: unknown): string {
  if (err instanceof BootsyncError) return `bootsync: ${err.message}`;
  return `bootsync: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}
