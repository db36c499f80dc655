import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every TypeScript file of the tree but dependencies and build output. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'dist', '.git'].includes(entry.name) ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe("npm test's type-check", () => {
  it('covers every TypeScript file in the tree: packages, tests, scripts and benchmarks', () => {
    const configFile = path.join(repoRoot, 'tsconfig.test.json');
    const { config } = ts.readConfigFile(configFile, (file) => ts.sys.readFile(file));
    const checked = new Set(ts.parseJsonConfigFileContent(config, ts.sys, repoRoot, undefined, configFile).fileNames.map((f) => path.resolve(f)));

    const unchecked = sourceFiles(repoRoot).filter((file) => !checked.has(file)).map((file) => path.relative(repoRoot, file));

    expect(unchecked).toEqual([]);
  });
});
