/**
 * Rows of cells (the header first) as aligned text lines, the way every `bootsync` table and the demo's status table
 * print: each column as wide as its widest cell, two spaces apart, no trailing blanks. Columns listed in `right`
 * (sizes) are right-aligned. Pure.
 */
export function alignColumns(rows: readonly (readonly string[])[], right: readonly number[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (right.includes(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
