import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path.relative(repoRoot, full)] : [];
  });
}

/** The file an import names: relative (`./x.js`, `./dir/index.js`) or a package subpath (`@bootsync/shared/store`). */
function resolveImport(from: string, specifier: string): string | undefined {
  const subpath = /^@bootsync\/([a-z]+)\/(.+)$/.exec(specifier);
  if (subpath) return path.join('packages', subpath[1]!, 'src', subpath[2]!, 'index.ts');
  if (!specifier.startsWith('.')) return undefined;
  const target = path.join(path.dirname(from), specifier);
  return [target.replace(/\.js$/, '.ts'), path.join(target, 'index.ts')].find((file) => existsSync(path.join(repoRoot, file)));
}

/** Strongly connected components of more than one file (Tarjan): each is an import cycle. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component = stack.splice(stack.indexOf(file));
    if (component.length > 1) found.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

describe("the packages' imports", () => {
  it('form no cycle, type-only imports included: a cycle is two modules that cannot be read, tested or moved apart', () => {
    const graph = new Map<string, string[]>();
    for (const pkg of readdirSync(path.join(repoRoot, 'packages'))) {
      for (const file of sourceFiles(path.join(repoRoot, 'packages', pkg, 'src'))) {
        const { importedFiles } = ts.preProcessFile(readFileSync(path.join(repoRoot, file), 'utf8'), true, true);
        graph.set(file, importedFiles.flatMap((imported) => resolveImport(file, imported.fileName) ?? []));
      }
    }
    expect(graph.size).toBeGreaterThan(200);
    expect(cycles(graph)).toEqual([]);
  });
});
