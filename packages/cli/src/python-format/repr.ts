/**
 * Python 3's `repr()` of a str: single quotes unless the text holds a `'` and no `"`, backslash escapes for the
 * quote, `\\`, `\t`, `\n`, `\r` and other control characters; printable non-ASCII kept. Pure.
 */
export function pythonStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\x${code.toString(16)}`;
    else out += ch;
  }
  return out + quote;
}

/** simplestreams' `stringitems`: numbers (and booleans, Python ints) become their `str()`. */
export function asPythonString(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value);
}

/** `str(dict)` of Python 3 for a flat item, in the item's own key order. Pure. */
export function pythonDictRepr(item: Readonly<Record<string, string | number | boolean>>): string {
  return `{${Object.entries(item).map(([k, v]) => `${pythonStrRepr(k)}: ${pythonStrRepr(asPythonString(v))}`).join(', ')}}`;
}
