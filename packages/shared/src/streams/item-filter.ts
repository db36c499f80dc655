import { ItemFilterError } from './errors.js';
import type { FieldValue } from './types.js';

export type ItemFilterOp = '=' | '!=' | '~' | '!~';

/** One `sstream-query`/`sstream-mirror` filter: `key=value`, `key!=value`, `key~regex` or `key!~regex`. */
export interface ItemFilter {
  readonly key: string;
  readonly op: ItemFilterOp;
  readonly value: string;
  /** The filter as written, for messages. */
  readonly text: string;
  /** `~` and `!~`: the value compiled once, since a query tests it against every item. */
  readonly regex?: RegExp;
}

const OPS: readonly ItemFilterOp[] = ['=', '!=', '~', '!~'];

// simplestreams' filters.py: ([\w|\-]+)[ ]*([!]{0,1}[=~])[ ]*(.*)[ ]*$
const FILTER = /^([\w|-]+) *(!?[=~]) *(.*)$/;

export function parseItemFilter(text: string): ItemFilter {
  const [, key = '', op = '', value = ''] = FILTER.exec(text) ?? [];
  const known = OPS.find((o) => o === op);
  if (!known) throw new ItemFilterError(text, 'expected key=value, key!=value, key~regex or key!~regex');
  if (!known.endsWith('~')) return { key, op: known, value, text };
  try {
    return { key, op: known, value, text, regex: new RegExp(value) };
  } catch (cause) {
    throw new ItemFilterError(text, `bad regular expression (${cause instanceof Error ? cause.message : String(cause)})`);
  }
}

export function parseItemFilters(texts: readonly string[]): ItemFilter[] {
  return texts.map(parseItemFilter);
}

/** Does a flattened item pass the filter? A missing key reads as `""`, like simplestreams; `~` searches anywhere. */
export function matchesFilter(filter: ItemFilter, fields: Readonly<Record<string, FieldValue>>): boolean {
  const actual = fields[filter.key] === undefined ? '' : String(fields[filter.key]);
  const positive = filter.op.endsWith('~') ? (filter.regex ?? new RegExp(filter.value)).test(actual) : actual === filter.value;
  return filter.op.startsWith('!') ? !positive : positive;
}

/** Filters are ANDed. */
export function matchesAll(filters: readonly ItemFilter[], fields: Readonly<Record<string, FieldValue>>): boolean {
  return filters.every((f) => matchesFilter(f, fields));
}
