import { InvalidSyncIntervalError } from './rack-errors.js';

export const DEFAULT_SYNC_INTERVAL = '5m';

/** Milliseconds from `300`, `300s`, `5m` or `1h` (tests use seconds). */
export function parseSyncInterval(value: string): number {
  const m = /^(\d+)\s*([smh]?)$/.exec(value.trim());
  if (!m || Number(m[1]) === 0) throw new InvalidSyncIntervalError(value);
  const unit = m[2] === 'h' ? 3_600_000 : m[2] === 'm' ? 60_000 : 1_000;
  return Number(m[1]) * unit;
}
