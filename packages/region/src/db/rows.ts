/** Small conversions between SQLite values and domain values, shared by the repositories. */

export function nowIso(): string {
  return new Date().toISOString();
}

/** MAAS's API date form: `2018-12-04T18:11:31.894` (UTC, milliseconds, no zone). */
export function maasDate(iso: string): string {
  return new Date(iso).toISOString().slice(0, 23);
}

export function toBool(v: number): boolean {
  return v === 1;
}

export function fromBool(v: boolean): number {
  return v ? 1 : 0;
}

export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** True for better-sqlite3's error on a UNIQUE or PRIMARY KEY constraint. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
