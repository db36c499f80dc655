import { describe, expect, it } from 'vitest';
import { createImportSchedule, DEFAULT_IMPORT_SCHEDULE, InvalidScheduleError } from '@bootsync/region/import';

describe('the import schedule', () => {
  it('defaults to hourly, on the hour', async () => {
    const task = createImportSchedule(DEFAULT_IMPORT_SCHEDULE, async () => undefined);
    try {
      const next = task.getNextRun();
      expect(next?.getMinutes()).toBe(0);
      expect(next?.getSeconds()).toBe(0);
      expect((next?.getTime() ?? 0) - Date.now()).toBeLessThanOrEqual(3_600_000);
    } finally {
      await task.destroy();
    }
  });

  it('refuses an expression that is not cron, naming it', () => {
    expect(() => createImportSchedule('every hour', async () => undefined)).toThrow(InvalidScheduleError);
    expect(() => createImportSchedule('every hour', async () => undefined)).toThrow(/"every hour"/);
  });
});
