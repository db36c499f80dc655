import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string): string => readFileSync(path.join(repoRoot, file), 'utf8');

/** Where each package lists its error codes (the unions its error classes extend BootsyncError with). */
const CODE_LISTS = {
  shared: 'packages/shared/src/errors/codes.ts',
  region: 'packages/region/src/errors/index.ts',
  rack: 'packages/rack/src/errors/index.ts',
  cli: 'packages/cli/src/errors/index.ts',
} as const;

const literals = (text: string): string[] => [...text.matchAll(/'([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]!);
/** The codes of a list's `export type ...ErrorCode = 'A' | 'B';` unions. */
const listed = (list: string): string[] => [...read(list).matchAll(/^export type \w+ErrorCode =([^;]*);/gm)].flatMap((m) => literals(m[1]!));

/** DEVELOPERS.md's table of areas: package -> AREAs. */
function documentedAreas(): Map<string, Set<string>> {
  const areas = new Map<string, Set<string>>();
  for (const m of read('DEVELOPERS.md').matchAll(/^\| (\w+) \| `([A-Z]+)` \|/gm)) {
    areas.set(m[1]!, (areas.get(m[1]!) ?? new Set()).add(m[2]!));
  }
  return areas;
}

function sources(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(rel);
    return entry.name.endsWith('.ts') ? [rel] : [];
  });
}

describe('error codes', () => {
  const areas = documentedAreas();

  it.each(Object.entries(CODE_LISTS))('of %s are <AREA>_<WHAT>, with the AREAs DEVELOPERS.md gives it, each raised', (pkg, list) => {
    const codes = listed(list);
    const documented = areas.get(pkg) ?? new Set<string>();
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) {
      expect(code, 'AREA_WHAT, upper snake case, no _ERR_').toMatch(/^[A-Z]+(_[A-Z0-9]+)+$/);
      expect(code).not.toContain('_ERR_');
      expect([...documented], `${code}: its AREA is not in DEVELOPERS.md's table for ${pkg}`).toContain(code.split('_')[0]);
    }
    expect([...documented].filter((area) => !codes.some((code) => code.startsWith(`${area}_`))), 'areas with no code').toEqual([]);
    // A listed code nothing raises is a stale contract.
    const raised = new Set(sources(`packages/${pkg}/src`).flatMap((file) => literals(file === list ? read(file).replace(/^export type \w+ErrorCode =[^;]*;/gm, '') : read(file))));
    expect(codes.filter((code) => !raised.has(code)), 'listed but never raised').toEqual([]);
  });

  it('are unique across packages', () => {
    const all = Object.values(CODE_LISTS).flatMap(listed);
    expect(all.filter((code, i) => all.indexOf(code) !== i)).toEqual([]);
  });
});
