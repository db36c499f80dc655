import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import { ConfigFileError } from './config-error.js';

/** A configuration file's top-level keys as written (kebab or snake case), with the line of each. */
export interface ConfigFile {
  readonly path: string;
  readonly values: Readonly<Record<string, unknown>>;
  readonly lines: Readonly<Record<string, number>>;
}

/** Pure: YAML text → ConfigFile. An empty file is an empty mapping; anything but a mapping is an error. */
export function parseConfigFile(text: string, path: string): ConfigFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    throw new ConfigFileError(path, lineCounter.linePos(syntax.pos[0]).line, `invalid YAML: ${syntax.message.split('\n')[0]}`);
  }
  if (doc.contents === null) return { path, values: {}, lines: {} };
  if (!isMap(doc.contents)) throw new ConfigFileError(path, 1, 'expected a mapping of option names to values');
  const values = doc.toJS() as Record<string, unknown>;
  const lines: Record<string, number> = {};
  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key)) throw new ConfigFileError(path, undefined, 'option names must be plain strings');
    const key = String(pair.key.value);
    const offset = pair.key.range?.[0];
    if (offset !== undefined) lines[key] = lineCounter.linePos(offset).line;
  }
  return { path, values, lines };
}

export async function readConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigFileError(path, undefined, `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  return parseConfigFile(text, path);
}
