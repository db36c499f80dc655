import type { ApiResponse } from '../api-client/index.js';
import { alignColumns } from '../table/index.js';

/**
 * What a region answered, for people and scripts: JSON pretty-printed (the default) or an aligned table
 * (`--table`); plain-text answers ("Import of boot resources started") as they are. Pure.
 */
export function formatResponse(res: ApiResponse, table: boolean): string {
  if (!/^application\/json\b/.test(res.contentType)) return res.body.endsWith('\n') || res.body === '' ? res.body : `${res.body}\n`;
  const value: unknown = JSON.parse(res.body);
  return table ? formatTable(value) : `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Arrays of objects: one row each, a column per key. An object holding one such array (op=fetch's `images`): its
 * other fields as `key: value` lines, then the array's table. Other objects: KEY / VALUE rows. Anything else: JSON.
 */
export function formatTable(value: unknown): string {
  if (isRecord(value)) {
    const lists = Object.entries(value).filter(([, v]) => Array.isArray(v) && v.length > 0 && v.every(isRecord));
    if (lists.length === 1) {
      const [listKey, list] = lists[0]!;
      const others = Object.entries(value).filter(([k]) => k !== listKey);
      return others.map(([k, v]) => `${k}: ${cell(v)}\n`).join('') + formatTable(list);
    }
  }
  if (Array.isArray(value) && value.every(isRecord)) {
    if (value.length === 0) return '';
    const columns = [...new Set(value.flatMap((row) => Object.keys(row)))];
    return alignRows([columns.map((c) => c.toUpperCase()), ...value.map((row) => columns.map((c) => cell(row[c])))]);
  }
  if (isRecord(value)) return alignRows([['KEY', 'VALUE'], ...Object.entries(value).map(([k, v]) => [k, cell(v)])]);
  return `${JSON.stringify(value)}\n`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) return v.join(',');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function alignRows(rows: readonly (readonly string[])[]): string {
  return `${alignColumns(rows).join('\n')}\n`;
}
