import { describe, expect, it } from 'vitest';
import { sameSecret } from '../src/identity/index.js';

describe('sameSecret', () => {
  it('accepts only the exact secret', () => {
    expect(sameSecret('&s3cret', '&s3cret')).toBe(true);
    expect(sameSecret('&s3creT', '&s3cret')).toBe(false);
    expect(sameSecret('&s3cre', '&s3cret')).toBe(false);
    expect(sameSecret('', '&s3cret')).toBe(false);
  });

  it('compares bytes, so strings of equal length but different UTF-8 size do not throw', () => {
    expect(sameSecret('é', 'e')).toBe(false);
  });
});
