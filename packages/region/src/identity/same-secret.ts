import { timingSafeEqual } from 'node:crypto';

/** Compares a presented secret with the stored one in constant time, so response timing does not leak a prefix. */
export function sameSecret(presented: string, secret: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}
