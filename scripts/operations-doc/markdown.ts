/**
 * A GitHub-flavoured markdown table. `|` is escaped everywhere, `<` outside code spans (so `<region data dir>` is not
 * taken for an HTML tag).
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string): string =>
    text
      .split(/(`[^`]*`)/)
      .map((part) => (part.startsWith('`') ? part : part.replace(/</g, '\\<')))
      .join('')
      .replace(/\|/g, '\\|');
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
