/**
 * The version of the region-rack protocol this build speaks: the registration request and answer, the sync jobs'
 * data, progress, results and failures. Raise it whenever one of them changes shape or meaning: a rack and a
 * region that speak different versions then refuse each other (ProtocolMismatchError) instead of misreading.
 */
export const RACK_PROTOCOL_VERSION = 1;

/**
 * The version a message says it speaks: undefined when it names none, as every message of a bootsync from before
 * protocol versions (which counts as version 0).
 */
export function protocolOf(message: unknown): number | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const version = (message as { protocol?: unknown }).protocol;
  return typeof version === 'number' && Number.isInteger(version) && version >= 0 ? version : undefined;
}
