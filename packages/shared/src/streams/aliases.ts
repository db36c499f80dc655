import { StreamFormatError } from './errors.js';
import { isJsonObject, type JsonObject } from './json-document.js';

/**
 * simplestreams' `expand_tree`: the top-level `_aliases` is `{field: {value: {k: v}}}`; every object (at any depth)
 * whose `field` equals `value` gets the fields `k: v` merged in, overriding its own. Returns a new tree; `_aliases`
 * itself is left out. Pure.
 */
export function expandAliases(doc: JsonObject, file: string): JsonObject {
  const aliases = doc._aliases;
  const { _aliases: _dropped, ...rest } = doc;
  if (aliases === undefined) return rest;
  if (!isJsonObject(aliases)) throw new StreamFormatError(file, '"_aliases" must be an object');
  return expandValue(rest, aliases, file) as JsonObject;
}

function expandValue(value: unknown, aliases: JsonObject, file: string): unknown {
  if (Array.isArray(value)) return value.map((v) => expandValue(v, aliases, file));
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) out[key] = expandValue(child, aliases, file);
  for (const [key, child] of Object.entries(value)) {
    const table = aliases[key];
    if (table === undefined || typeof child !== 'string') continue;
    const mapping = isJsonObject(table) ? table[child] : undefined;
    if (!isJsonObject(mapping)) {
      throw new StreamFormatError(file, `"_aliases" has no entry for ${key}=${JSON.stringify(child)}`);
    }
    Object.assign(out, mapping);
  }
  return out;
}
