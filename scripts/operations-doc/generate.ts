import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectLogEvents, logEventsTable } from './log-events.js';
import { bootsyncMetrics, metricsTable } from './metrics.js';
import { rackOptionsTable, regionOptionsTable } from './options.js';

/**
 * docs/operations.md keeps its reference tables between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`,
 * rebuilt from the code: `node scripts/dist/operations-doc/generate.js` (after `npm run build` and
 * `npx tsc -b scripts`) rewrites them; `--check` only says whether they are up to date.
 */
export async function generatedSections(repoRoot: string): Promise<Record<string, string>> {
  return {
    'region-options': regionOptionsTable(),
    'rack-options': rackOptionsTable(),
    'log-events': logEventsTable(await collectLogEvents(repoRoot)),
    metrics: metricsTable(await bootsyncMetrics()),
  };
}

/** Pure: `doc` with each generated section's body replaced; throws when a section's markers are missing. */
export function fillSections(doc: string, sections: Readonly<Record<string, string>>): string {
  let out = doc;
  for (const [name, body] of Object.entries(sections)) {
    const pattern = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!pattern.test(out)) throw new Error(`docs/operations.md has no <!-- generated:${name} --> ... <!-- /generated:${name} --> section`);
    out = out.replace(pattern, (_m, open: string, close: string) => `${open}${body}\n${close}`);
  }
  return out;
}

export const OPERATIONS_DOC = 'docs/operations.md';

async function main(): Promise<void> {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const file = join(repoRoot, OPERATIONS_DOC);
  const doc = await readFile(file, 'utf8');
  const updated = fillSections(doc, await generatedSections(repoRoot));
  if (process.argv.includes('--check')) {
    process.stdout.write(updated === doc ? `${OPERATIONS_DOC} is up to date\n` : `${OPERATIONS_DOC} is stale\n`);
    process.exitCode = updated === doc ? 0 : 1;
  } else if (updated !== doc) {
    await writeFile(file, updated);
    process.stdout.write(`rewrote the generated sections of ${OPERATIONS_DOC}\n`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
