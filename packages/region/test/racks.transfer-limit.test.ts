import { describe, expect, it } from 'vitest';
import { createLogger } from '@bootsync/shared/logging';
import { RackTransferLimit } from '../src/racks/rack-transfers.js';

const logger = createLogger('test', { level: 'silent' });
const stays = (): AbortSignal => new AbortController().signal;

describe('the region\'s limit of rack transfers at once', () => {
  it('hands a turn that ends to the one waiting in line at once, first come first served, and turns away beyond the line', async () => {
    const counts: number[] = [];
    const limit = new RackTransferLimit({ max: 1, logger, inFlight: (n) => counts.push(n) });
    const first = await limit.begin('rack-a', 'a', stays());
    expect(first).toBeDefined();
    const waiting = limit.begin('rack-b', 'b', stays());
    // The line holds as many as may be in flight: one here, so the next is turned away at once.
    expect(await limit.begin('rack-c', 'c', stays())).toBeUndefined();
    const started = Date.now();
    first?.end();
    const second = await waiting;
    expect(second).toBeDefined();
    expect(Date.now() - started).toBeLessThan(1_000);
    // A turn ended twice gives back one place, not two.
    first?.end();
    second?.end();
    expect(counts).toEqual([1, 0, 1, 0]);
  });

  it('lets a rack that left while in line go, and gives its place to the next', async () => {
    const limit = new RackTransferLimit({ max: 1, logger });
    const first = await limit.begin('rack-a', 'a', stays());
    const leaving = new AbortController();
    const left = limit.begin('rack-b', 'b', leaving.signal);
    leaving.abort();
    expect(await left).toBeUndefined();
    const next = limit.begin('rack-c', 'c', stays());
    first?.end();
    expect(await next).toBeDefined();
  });

  it('turns a request away once it waited in line for 2 s without a turn', async () => {
    const limit = new RackTransferLimit({ max: 1, logger });
    const first = await limit.begin('rack-a', 'a', stays());
    const started = Date.now();
    expect(await limit.begin('rack-b', 'b', stays())).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_990);
    first?.end();
  });

  it('sends every transfer at once without a limit (0)', async () => {
    const limit = new RackTransferLimit({ max: 0, logger });
    const turns = await Promise.all(Array.from({ length: 50 }, (_, i) => limit.begin(`rack-${i}`, 'x', stays())));
    expect(turns.every((t) => t !== undefined)).toBe(true);
  });
});
