import type { ItemRef } from './item-ref.js';
import { StreamFormatError } from './errors.js';

export type JsonObject = { [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a stream document, which must be a JSON object. */
export function parseJsonObject(text: string, file: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new StreamFormatError(file, `malformed JSON (${cause instanceof Error ? cause.message : String(cause)})`, undefined, { cause });
  }
  if (!isJsonObject(value)) throw new StreamFormatError(file, 'not a JSON object');
  return value;
}

/** `doc[key]`, which must be an object (callers that allow it absent check before). */
export function objectField(doc: JsonObject, key: string, file: string, item?: ItemRef): JsonObject {
  const value = doc[key];
  if (!isJsonObject(value)) throw new StreamFormatError(file, `"${key}" must be an object`, item);
  return value;
}

/** `doc[key]` when it is a string, undefined when absent. */
export function optionalString(doc: JsonObject, key: string, file: string, item?: ItemRef): string | undefined {
  const value = doc[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new StreamFormatError(file, `"${key}" must be a string`, item);
  return value;
}

export function requiredString(doc: JsonObject, key: string, file: string, item?: ItemRef): string {
  const value = optionalString(doc, key, file, item);
  if (value === undefined) throw new StreamFormatError(file, `missing "${key}"`, item);
  return value;
}
