import { formatBytes } from '../progress/index.js';
import { alignColumns } from '../table/index.js';
import type { DryRun } from './run-mirror.js';

/**
 * `--dry-run`, as sstream-mirror prints it but with exact sizes: `+ SIZE PATH` for each file to fetch, `~` for a
 * copy already there to verify, `-` for each file to remove, then the totals. Pure.
 */
export function formatDryRun({ plan, documents }: DryRun): string {
  const rows = [
    ...plan.fetch.map((f) => ['+', String(f.size), f.path]),
    ...plan.adopt.map((f) => ['~', String(f.size), f.path]),
    ...plan.remove.map((f) => ['-', String(f.size), f.path]),
  ];
  const total = (files: readonly { size: number }[]): number => files.reduce((sum, f) => sum + f.size, 0);
  const summary =
    `fetch ${plan.fetch.length} files (${formatBytes(total(plan.fetch))}), verify ${plan.adopt.length} already there, ` +
    `remove ${plan.remove.length} files (${formatBytes(total(plan.remove))}), ${plan.current.length} up to date; ` +
    `${documents.files.length} documents`;
  return [...alignColumns(rows, [1]), summary].map((line) => `${line}\n`).join('');
}
