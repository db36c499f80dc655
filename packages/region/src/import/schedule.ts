import { schedule, validate } from 'node-cron';
import type { Logger } from '@bootsync/shared/logging';
import { InvalidScheduleError } from './errors.js';

/*
 * The periodic import, in one of two ways. By default every `boot_images_import_interval_minutes` (MAAS's setting,
 * 60 by default), read at each check so `maas set-config` applies without a restart. An operator who gives
 * `--import-schedule` (a node-cron expression) gets exactly that instead: a deployment file wins over the API.
 * Either way a tick goes through the same deduplicated `add` as "import now" and reads `boot_images_auto_import`.
 */

/** The default interval (60 minutes) as a cron expression, hourly on the hour: the example `--import-schedule` gives. */
export const DEFAULT_IMPORT_SCHEDULE = '0 * * * *';

/** What the import service stops at shutdown. */
export interface ImportSchedule {
  stop(): Promise<void>;
}

export function createImportSchedule(expression: string, tick: () => Promise<void>): ImportSchedule & { getNextRun(): Date | null } {
  if (!validate(expression)) throw new InvalidScheduleError(expression);
  // noOverlap: a tick that is still adding its job is never doubled by the next one.
  const task = schedule(expression, tick, { name: 'boot-images-import', noOverlap: true });
  return { stop: () => Promise.resolve(task.destroy()), getNextRun: () => task.getNextRun() };
}

export interface IntervalScheduleOptions {
  /** The interval now, in minutes (the config setting). */
  readonly minutes: () => number | Promise<number>;
  readonly tick: () => Promise<void>;
  /** How long a minute is (ImportTuning.minuteMs): tests shorten it. */
  readonly minuteMs: number;
  /** How often the interval is compared with the time since the last tick. @defaultValue 10_000 (a sixth of a minute) */
  readonly checkMs?: number;
}

/**
 * Ticks when `minutes()` have passed since the previous tick (or the start). A changed interval counts from the
 * previous tick, so lowering it from 60 to 5 imports within 5 minutes of the last import, as MAAS's periodic task.
 */
export function createIntervalSchedule(options: IntervalScheduleOptions): ImportSchedule {
  const { minuteMs } = options;
  const checkMs = options.checkMs ?? Math.max(10, Math.round(minuteMs / 6));
  let last = Date.now();
  let running: Promise<void> | undefined;
  const check = async (): Promise<void> => {
    if (Date.now() - last < (await options.minutes()) * minuteMs) return;
    last = Date.now();
    await options.tick();
  };
  const timer = setInterval(() => {
    // One check (or tick) at a time. The tick reports its own failures, and a setting that cannot be read now is
    // read at the next check: a rejected one must not become an unhandled rejection.
    running ??= check()
      .catch(() => undefined)
      .finally(() => (running = undefined));
  }, checkMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

export interface ImportTimerOptions {
  /** `--import-schedule`: when given, exactly that. */
  readonly cron: string | undefined;
  /** `boot_images_import_interval_minutes` now: the interval when there is no cron expression. */
  readonly minutes: () => Promise<number>;
  readonly minuteMs: number;
  readonly tick: () => Promise<void>;
  readonly log: Logger;
}

/** The periodic import the operator asked for, a cron expression or else the interval setting; logs which. */
export async function startImportTimer(options: ImportTimerOptions): Promise<ImportSchedule> {
  const { cron, minutes, minuteMs, tick, log } = options;
  if (cron !== undefined) {
    log.info({ event: 'import.schedule', cron });
    return createImportSchedule(cron, tick);
  }
  log.info({ event: 'import.schedule', intervalMinutes: await minutes() });
  return createIntervalSchedule({ minutes, tick, minuteMs });
}
