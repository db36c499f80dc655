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
}

// simplestreams' filters.py: ([\w|\-]+)[ ]*([!]{0,1}[=~])[ ]*(.*)[ ]*$
const FILTER = /^([\w|-]+) *(!?[=~]) *(.*)$/;

export function parseItemFilter(text: string): ItemFilter {
  const match = FILTER.exec(text);
  if (!match) throw new ItemFilterError(text, 'expected key=value, key!=value, key~regex or key!~regex');
  const [, key, op, value] = match as unknown as [string, string, ItemFilterOp, string];
  if (op.endsWith('~')) {
    try {
      new RegExp(value);
    } catch (cause) {
      throw new ItemFilterError(text, `bad regular expression (${cause instanceof Error ? cause.message : String(cause)})`);
    }
  }
  return { key, op, value, text };
}

export function parseItemFilters(texts: readonly string[]): ItemFilter[] {
  return texts.map(parseItemFilter);
}

/** Does a flattened item pass the filter? A missing key reads as `""`, like simplestreams; `~` searches anywhere. */
export function matchesFilter(filter: ItemFilter, fields: Readonly<Record<string, FieldValue>>): boolean {
  const actual = fields[filter.key] === undefined ? '' : String(fields[filter.key]);
  const positive = filter.op.endsWith('~') ? new RegExp(filter.value).test(actual) : actual === filter.value;
  return filter.op.startsWith('!') ? !positive : positive;
}

/** Filters are ANDed. */
export function matchesAll(filters: readonly ItemFilter[], fields: Readonly<Record<string, FieldValue>>): boolean {
  return filters.every((f) => matchesFilter(f, fields));
}
