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

/** Codes older than the scheme, with the `_ERR_` they had: contracts (issues, docs, alerts name them), never renamed. */
const BEFORE_THE_SCHEME = new Set([
  'CLI_ERR_API',
  'CLI_ERR_API_KEY',
  'CLI_ERR_PROFILE',
  'CLI_ERR_UNREACHABLE',
  'CLI_ERR_USAGE',
  'DOWNLOAD_ERR_CONNECTIONS_RESET',
  'DOWNLOAD_ERR_PROTOCOL',
  'DOWNLOAD_ERR_REDIRECT',
  'DOWNLOAD_ERR_WORKER',
  'IMPORT_ERR_EMPTY_SOURCE',
  'IMPORT_ERR_NO_SHA256',
  'IMPORT_ERR_SCHEDULE',
  'IMPORT_ERR_UNEXPECTED',
  'MIRROR_ERR_INCOMPLETE',
  'MIRROR_ERR_LOCKED',
  'MIRROR_ERR_PATH_CONFLICT',
  'MIRROR_ERR_STATE',
  'SIG_ERR_BAD',
  'SIG_ERR_KEYRING',
  'SIG_ERR_MISSING',
  'SIG_ERR_UNKNOWN_KEY',
  'SS_ERR_CONTENT_ID',
  'SS_ERR_FILTER',
  'SS_ERR_FORMAT',
  'SS_ERR_LOCATION',
  'SS_ERR_READ',
  'SS_ERR_TOO_LARGE',
  'SS_ERR_UNSAFE_PATH',
]);

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
      expect(code, 'AREA_WHAT, upper snake case').toMatch(/^[A-Z]+(_[A-Z0-9]+)+$/);
      if (!BEFORE_THE_SCHEME.has(code)) expect(code, 'a new code has no _ERR_').not.toContain('_ERR_');
      expect([...documented], `${code}: its AREA is not in DEVELOPERS.md's table for ${pkg}`).toContain(code.split('_')[0]);
    }
    expect([...documented].filter((area) => !codes.some((code) => code.startsWith(`${area}_`))), 'areas with no code').toEqual([]);
    // A listed code nothing raises is a stale contract.
    const raised = new Set(sources(`packages/${pkg}/src`).flatMap((file) => literals(file === list ? read(file).replace(/^export type \w+ErrorCode =[^;]*;/gm, '') : read(file))));
    expect(codes.filter((code) => !raised.has(code)), 'listed but never raised').toEqual([]);
  });

  it('keep every code older than the scheme', () => {
    const all = new Set(Object.values(CODE_LISTS).flatMap(listed));
    expect([...BEFORE_THE_SCHEME].filter((code) => !all.has(code))).toEqual([]);
  });

  it('are unique across packages', () => {
    const all = Object.values(CODE_LISTS).flatMap(listed);
    expect(all.filter((code, i) => all.indexOf(code) !== i)).toEqual([]);
  });
});
