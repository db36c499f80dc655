import { asPythonString, pythonDictRepr, pythonStrRepr } from './repr.js';

const WIDTH = 80;

/**
 * `pprint.pprint(item)` of Python 3 for a flat dict of strings, what sstream-query `--pretty` prints per item:
 * one line when it fits in 80 columns, else one `'key': 'value'` per line, keys sorted, and a value too long for
 * its line split at whitespace into adjacent string literals. Values are shown as simplestreams holds them (numbers
 * as strings). Pure.
 */
export function pprintDict(item: Readonly<Record<string, string | number | boolean>>): string {
  const keys = Object.keys(item).sort();
  const flat = pythonDictRepr(Object.fromEntries(keys.map((key) => [key, item[key]!])));
  if (flat.length <= WIDTH) return flat;
  const entries = keys.map((key) => ({ key: pythonStrRepr(key), text: asPythonString(item[key]!) }));
  // One entry per line after '{' (indent 1); each value is followed by ',' or, for the last, '}': one column.
  const lines = entries.map(({ key, text }) => `${key}: ${formatValue(text, 1 + key.length + 2, 1)}`);
  return `{${lines.join(',\n ')}}`;
}

/** pprint's `_pprint_str` at nesting level 2: the repr, or chunks split after whitespace, one per line. */
function formatValue(text: string, indent: number, allowance: number): string {
  const repr = pythonStrRepr(text);
  if (repr.length <= WIDTH - indent - allowance) return repr;
  const chunks: string[] = [];
  const lines = text.split(/(?<=\r\n|\n|\r)/);
  const maxWidth = WIDTH - indent;
  lines.forEach((line, i) => {
    const lastLine = i === lines.length - 1;
    const lineRepr = pythonStrRepr(line);
    if (lineRepr.length <= maxWidth - (lastLine ? allowance : 0)) {
      chunks.push(lineRepr);
      return;
    }
    const parts = line.match(/\S*\s*/g)?.filter((p) => p !== '') ?? [line];
    let current = '';
    parts.forEach((part, j) => {
      const limit = maxWidth - (lastLine && j === parts.length - 1 ? allowance : 0);
      const candidate = current + part;
      if (pythonStrRepr(candidate).length > limit) {
        if (current !== '') chunks.push(pythonStrRepr(current));
        current = part;
      } else {
        current = candidate;
      }
    });
    if (current !== '') chunks.push(pythonStrRepr(current));
  });
  if (chunks.length === 1) return repr;
  return chunks.join(`\n${' '.repeat(indent)}`);
}
