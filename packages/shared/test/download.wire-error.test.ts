import { describe, expect, it } from 'vitest';
import { ChecksumMismatchError, HttpStatusError, RetriesExhaustedError } from '@bootsync/shared/download';
import { fromWire, toWire } from '../src/download/wire-error.js';

// Errors of a download come back from its worker thread as what they were: class, fields, cause, type in logs.
const ref = { contentId: 'c', product: 'p', version: 'v', item: 'squashfs' };
const across = (err: unknown): Error => fromWire(structuredClone(toWire(err)));

describe('errors across download threads', () => {
  it('keeps the class, the fields and the message of the errors callers test for', () => {
    const back = across(new ChecksumMismatchError(ref, 'sha256', 'a'.repeat(64), 'b'.repeat(64), 'http://m/x'));
    expect(back).toBeInstanceOf(ChecksumMismatchError);
    expect(back).toMatchObject({ code: 'STORE_CHECKSUM_MISMATCH', ref, algorithm: 'sha256', name: 'ChecksumMismatchError' });
    expect(back.message).toContain('squashfs');
  });

  it('keeps a cause chain and what the classes compute (HttpStatusError.retryable)', () => {
    const back = across(new RetriesExhaustedError('http://m/x', 3, 1200, ref, new HttpStatusError('http://m/x', 503, ref)));
    expect(back).toBeInstanceOf(RetriesExhaustedError);
    expect(back.cause).toBeInstanceOf(HttpStatusError);
    expect((back.cause as HttpStatusError).retryable).toBe(true);
    expect((back.cause as HttpStatusError).status).toBe(503);
  });

  it('keeps the code of a system error and the type name of an error of other code', () => {
    const refused = across(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', errno: -111 }));
    expect(refused).toMatchObject({ code: 'ECONNREFUSED', errno: -111, message: 'connect ECONNREFUSED 127.0.0.1:9' });
    class AssertionError extends Error {}
    const other = Object.assign(new AssertionError('boom'), { name: 'AssertionError' });
    const back = across(other);
    expect(back.constructor.name).toBe('AssertionError');
    expect(back.stack).toBe(other.stack);
  });
});
