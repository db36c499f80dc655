import { schedule, validate, type ScheduledTask } from 'node-cron';
import { InvalidScheduleError } from './errors.js';

/*
 * The periodic import. node-cron rather than a BullMQ job scheduler: the queue belongs to this one region process,
 * so a schedule persisted in Redis buys nothing, while an in-process tick goes through the same deduplicated
 * `add` as "import now" and reads `boot_images_auto_import` at each tick, so toggling it needs no re-registration.
 */
export const DEFAULT_IMPORT_SCHEDULE = '0 * * * *';

export function createImportSchedule(expression: string, tick: () => Promise<void>): ScheduledTask {
  if (!validate(expression)) throw new InvalidScheduleError(expression);
  // noOverlap: a tick that is still adding its job is never doubled by the next one.
  return schedule(expression, tick, { name: 'boot-images-import', noOverlap: true });
}
