import type { FieldValue } from '@bootsync/shared/streams';
import { alignColumns } from './table/index.js';

/** One row of `bootsync stream query`: the flattened fields plus `item_url`. */
export type ItemRow = Readonly<Record<string, FieldValue>>;

const COLUMNS = [
  { header: 'PRODUCT', field: 'product_name', right: false },
  { header: 'VERSION', field: 'version_name', right: false },
  { header: 'ITEM', field: 'item_name', right: false },
  { header: 'FTYPE', field: 'ftype', right: false },
  { header: 'SIZE', field: 'size', right: true },
  { header: 'PATH', field: 'path', right: false },
] as const;

/** `--json`: one array, one object per item, field types kept. */
export function formatRowsJson(rows: readonly ItemRow[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** An aligned table, a header line then one line per item; empty when there is no row. Pure. */
export function formatRowsTable(rows: readonly ItemRow[]): string {
  if (rows.length === 0) return '';
  const cells = rows.map((row) => COLUMNS.map((c) => (row[c.field] === undefined ? '' : String(row[c.field]))));
  const right = COLUMNS.flatMap((c, i) => (c.right ? [i] : []));
  return `${alignColumns([COLUMNS.map((c) => c.header), ...cells], right).join('\n')}\n`;
}
