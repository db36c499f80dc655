import { InvalidRackNameError } from './errors.js';

// BullMQ refuses ':' in queue names, and the name also becomes a URL segment, a Redis key part and a metric label.
const RACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Whether a rack may carry this name. */
export function isRackName(name: unknown): name is string {
  return typeof name === 'string' && RACK_NAME.test(name);
}

/** Returns the name unchanged when a rack may carry it, else throws InvalidRackNameError. */
export function validateRackName(name: string): string {
  if (!isRackName(name)) throw new InvalidRackNameError(name);
  return name;
}
