/** Small conversions between SQLite values and domain values, shared by the repositories. */

export function nowIso(): string {
  return new Date().toISOString();
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
