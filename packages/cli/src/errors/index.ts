/**
 * The codes of @bootsync/cli's errors, `<AREA>_<WHAT>` with one AREA per module (DEVELOPERS.md, "Error codes").
 * Codes are contracts: scripts, tests and operators key on them. Add codes; do not rename them. The CLI also raises
 * @bootsync/shared's (`SharedErrorCode`).
 */
export type CliErrorCode = CommandErrorCode | MirrorErrorCode;

/** The bootsync command, its profiles and its MAAS API client. */
export type CommandErrorCode = 'CLI_ERR_API' | 'CLI_ERR_API_KEY' | 'CLI_ERR_PROFILE' | 'CLI_ERR_UNREACHABLE' | 'CLI_ERR_USAGE';

/** mirror/: bootsync stream mirror's local mirror. */
export type MirrorErrorCode = 'MIRROR_ERR_INCOMPLETE' | 'MIRROR_ERR_LOCKED' | 'MIRROR_ERR_PATH_CONFLICT' | 'MIRROR_ERR_STATE';
