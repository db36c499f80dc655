import { asPythonString, pythonStrRepr } from './repr.js';

/** A `%(key)s` format whose key the item lacks: sstream-query reports it and goes on with the next item. */
export class MissingFormatKeyError extends Error {
  constructor(readonly key: string) {
    super(`Missing ${key}`);
  }
}

// %% or %(key)[flags][width][.precision]conversion, as Python's printf-style formatting with a mapping.
const SPEC = /%(?:%|\(([^)]*)\)([-+ #0]*)(\d*)(?:\.(\d+))?([sdirf]))/g;

/**
 * `format % item` as sstream-query's `--output-format` applies it: `%(product_name)s %(item_url)s`, with flags,
 * width and precision (`%(size)12s`, `%(name)-40s`), `%r` for a Python repr, `%d` for numbers, `%%` for a percent
 * sign. Throws MissingFormatKeyError for a key the item lacks. Pure.
 */
export function percentFormat(format: string, item: Readonly<Record<string, string | number | boolean>>): string {
  return format.replace(SPEC, (whole, key: string | undefined, flags: string, width: string, precision: string | undefined, conversion: string) => {
    if (whole === '%%') return '%';
    const value = item[key ?? ''];
    if (value === undefined) throw new MissingFormatKeyError(key ?? '');
    const text = convert(value, conversion, precision === undefined ? undefined : Number(precision));
    return pad(text, flags, width === '' ? 0 : Number(width), conversion);
  });
}

function convert(value: string | number | boolean, conversion: string, precision: number | undefined): string {
  const shown = asPythonString(value);
  if (conversion === 's') return precision === undefined ? shown : shown.slice(0, precision);
  if (conversion === 'r') return typeof value === 'string' ? pythonStrRepr(value) : shown;
  const number = typeof value === 'number' ? value : Number(value);
  if (Number.isNaN(number)) throw new TypeError(`%${conversion} format: a real number is required, not ${pythonStrRepr(shown)}`);
  if (conversion === 'f') return number.toFixed(precision ?? 6);
  return String(Math.trunc(number));
}

function pad(text: string, flags: string, width: number, conversion: string): string {
  if (text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width);
  const numeric = conversion !== 's' && conversion !== 'r';
  if (numeric && flags.includes('0')) {
    const sign = text.startsWith('-') ? '-' : '';
    return sign + text.slice(sign.length).padStart(width - sign.length, '0');
  }
  return text.padStart(width);
}
