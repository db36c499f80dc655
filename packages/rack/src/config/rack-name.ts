import { InvalidRackNameError } from '../errors/index.js';

// BullMQ refuses ':' in queue names, and the name also becomes a URL segment and a Redis key part.
const RACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Returns the name unchanged when a rack may carry it, else throws InvalidRackNameError. */
export function validateRackName(name: string): string {
  if (!RACK_NAME.test(name)) throw new InvalidRackNameError(name);
  return name;
}
