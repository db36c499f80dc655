import { ApiNotFoundError, FormError } from './errors.js';

/** One submitted value: the bytes as sent, and whether it came as a file part (`key@=FILE` in the maas CLI). */
export interface ParamValue {
  readonly bytes: Buffer;
  readonly isFile: boolean;
}

/**
 * The key=value arguments of one API call, from the query string and the body together. Keys repeat
 * (`arches=amd64 arches=arm64` arrives as two parts), so every key holds a list in arrival order.
 */
export class ParamBag {
  readonly #values = new Map<string, ParamValue[]>();

  add(key: string, value: ParamValue | string): void {
    const v = typeof value === 'string' ? { bytes: Buffer.from(value, 'utf8'), isFile: false } : value;
    const list = this.#values.get(key);
    if (list) list.push(v);
    else this.#values.set(key, [v]);
  }

  has(key: string): boolean {
    return this.#values.has(key);
  }

  keys(): string[] {
    return [...this.#values.keys()];
  }

  /** The last value of `key` as text, as Django's QueryDict.get does. */
  text(key: string): string | undefined {
    const list = this.#values.get(key);
    const last = list?.[list.length - 1];
    return last?.bytes.toString('utf8');
  }

  raw(key: string): ParamValue | undefined {
    const list = this.#values.get(key);
    return list?.[list.length - 1];
  }

  /** Every value of `key`; a single value may also list several, comma-separated (`arches=amd64,arm64`). */
  list(key: string): string[] | undefined {
    const list = this.#values.get(key);
    if (!list) return undefined;
    return list
      .flatMap((v) => v.bytes.toString('utf8').split(','))
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  /** Refuses keys an action does not take, so a typo (`releases=`) is an error instead of silently ignored. */
  expectOnly(allowed: readonly string[]): void {
    const unknown = this.keys().filter((k) => !allowed.includes(k));
    if (unknown.length > 0) {
      throw new FormError(
        Object.fromEntries(unknown.map((k) => [k, [`Unknown parameter; this action takes: ${allowed.join(', ') || 'none'}.`]])),
      );
    }
  }
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** MAAS accepts `value=true|false|1|0` for booleans; anything else is a form error on that field. */
export function parseBoolean(field: string, text: string): boolean {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new FormError({ [field]: [`'${text}' value must be either True or False.`] });
}

export function parseWholeNumber(field: string, text: string): number {
  const t = text.trim();
  if (!/^-?\d+$/.test(t) || !Number.isSafeInteger(Number(t))) throw new FormError({ [field]: ['Enter a whole number.'] });
  return Number(t);
}

/** The `{id}` of a URL; anything but a positive integer cannot name a row, so it is "not found", as in MAAS. */
export function pathId(text: string | undefined, entity: string): number {
  const n = text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : 0;
  if (n <= 0) throw new ApiNotFoundError(entity);
  return n;
}

/** A field the action cannot do without: MAAS's "This field is required." */
export function required(args: ParamBag, field: string): string {
  const value = args.text(field);
  if (value === undefined || value.trim() === '') throw new FormError({ [field]: ['This field is required.'] });
  return value;
}
