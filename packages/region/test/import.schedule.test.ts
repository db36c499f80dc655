import { afterEach, describe, expect, it } from 'vitest';
import { createImportSchedule, createIntervalSchedule, DEFAULT_IMPORT_SCHEDULE, InvalidScheduleError } from '@bootsync/region/import';
import { createImportHarness, waitFor, type ImportHarness } from './import-harness.js';

describe('the cron import schedule (--import-schedule)', () => {
  it('runs hourly on the hour with the MAAS-like expression', async () => {
    const task = createImportSchedule(DEFAULT_IMPORT_SCHEDULE, async () => undefined);
    try {
      const next = task.getNextRun();
      expect(next?.getMinutes()).toBe(0);
      expect(next?.getSeconds()).toBe(0);
      expect((next?.getTime() ?? 0) - Date.now()).toBeLessThanOrEqual(3_600_000);
    } finally {
      await task.stop();
    }
  });

  it('refuses an expression that is not cron, naming it', () => {
    expect(() => createImportSchedule('every hour', async () => undefined)).toThrow(InvalidScheduleError);
    expect(() => createImportSchedule('every hour', async () => undefined)).toThrow(/"every hour"/);
  });
});

describe('the interval import schedule (boot_images_import_interval_minutes)', () => {
  it('ticks once the interval has passed since the last tick, reading the interval at each check', async () => {
    let minutes = 2;
    const ticks: number[] = [];
    /** When each check read the interval. */
    const reads: number[] = [];
    const started = Date.now();
    const interval = (): number => {
      reads.push(Date.now());
      return minutes;
    };
    // The interval changes within the second tick, so no check can read the old one after it (a change made by the
    // test once it saw two ticks raced a check already under way on a loaded machine).
    const tick = async (): Promise<void> => {
      ticks.push(Date.now() - started);
      if (ticks.length === 2) minutes = 1_000;
    };
    const schedule = createIntervalSchedule({ minutes: interval, tick, minuteMs: 50, checkMs: 10 });
    try {
      await waitFor('two ticks', () => ticks.length >= 2, 5_000);
      // Never before two "minutes" (100 ms) after the start or after the previous tick.
      expect(ticks[0]).toBeGreaterThanOrEqual(100);
      // Measured from inside the ticks, which start a moment after the schedule's own clock reading: a process
      // preempted in that moment (86 ms seen at load 14) shortens the gap. A schedule that ignored the interval would
      // tick at every check, 10 ms apart.
      expect(ticks[1]! - ticks[0]!).toBeGreaterThanOrEqual(50);
      // A check made three old intervals (300 ms) after the last tick would have ticked, had it not read the new one.
      const lastTick = started + ticks[1]!;
      await waitFor('a check three old intervals after the last tick', () => reads.some((at) => at >= lastTick + 300), 5_000);
      expect(ticks.length).toBe(2);
    } finally {
      await schedule.stop();
    }
  });
});

describe('the region import service schedule', () => {
  let h: ImportHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const scheduled = (harness: ImportHarness): number =>
    harness.logs.filter((l) => l.event === 'import.queued' && l.reason === 'schedule').length;

  it('imports every boot_images_import_interval_minutes, as set through the config, without a cron flag', async () => {
    h = await createImportHarness({ autoImport: true, tuning: { minuteMs: 150 } });
    await h.repos.config.set('boot_images_import_interval_minutes', 1);
    expect(h.logs).toContainEqual(expect.objectContaining({ event: 'import.schedule', intervalMinutes: 60 }));
    // Started at 60 minutes (9 s here), it imports at the 1 set since: the interval is read at each check, which
    // the interval schedule's own test above shows the other way round (raised, it stops ticking).
    await waitFor('two scheduled imports', () => scheduled(h!) >= 2, 10_000);
  });

  it('follows --import-schedule instead when an operator gives one: the cron expression wins over the interval', async () => {
    h = await createImportHarness({ autoImport: true, tuning: { minuteMs: 20 }, deps: { schedule: '0 0 1 1 *' } });
    await h.repos.config.set('boot_images_import_interval_minutes', 1);
    expect(h.logs).toContainEqual(expect.objectContaining({ event: 'import.schedule', cron: '0 0 1 1 *' }));
    // The start-up import, then a manual one: many of the interval's 20 ms "minutes" pass meanwhile, and the interval,
    // were it followed, would queue an import at each (logged even when it joins the running one).
    await waitFor('the start-up import', async () => (await h!.service.lastRuns(1))[0]?.outcome === 'succeeded');
    expect((await h.importNow()).outcome).toBe('succeeded');
    expect(scheduled(h)).toBe(0);
  });
});
