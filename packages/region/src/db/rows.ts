import type { SqlBool } from 'kysely';

/**
 * Small conversions between stored values and domain values, shared by the repositories: the one place that knows
 * how each dialect hands them back (schema.ts).
 */

export function nowIso(): string {
  return new Date().toISOString();
}

/** A flag as read: 0/1 from SQLite, a boolean from a PostgreSQL boolean column. */
export function toBool(v: SqlBool): boolean {
  return v === true || v === 1;
}

/** A flag as written: 0/1, which both dialects accept (PostgreSQL reads '1' into a boolean column). */
export function fromBool(v: boolean): 0 | 1 {
  return v ? 1 : 0;
}

export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}
