/**
 * Compares as a C-locale byte sort does (simplestreams sorts version names that way: newest last).
 * Differs from `<` on strings only outside the BMP, but stays exact everywhere.
 */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Version names oldest first, newest last. */
export function sortVersionNames(names: Iterable<string>): string[] {
  return [...names].sort(compareBytes);
}
