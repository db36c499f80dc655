import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Runs the built bin as a user would (`npx tsc -b` first; `npm test` does).
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(repoRoot, 'packages/cli/bin/bootsync.js');

export type MirrorEvent = Record<string, unknown> & { event: string };

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The JSON lines of stdout, parsed. */
  readonly events: MirrorEvent[];
}

export function parseEvents(stdout: string): MirrorEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{"'))
    .map((l) => JSON.parse(l) as MirrorEvent);
}

export function bootsync(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr, events: parseEvents(stdout) });
    });
  });
}

/** `bootsync ARGS` left running, its stdout gathered: for a run killed midway. */
export function spawnBootsync(args: readonly string[]): { child: ChildProcess; stdout: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, exited };
}

/** Every file under `dir` (relative, `/`-separated, sorted), the mirror's own `.bootsync-mirror/` left out. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((p) => !p.startsWith('.bootsync-mirror/'))
    .sort();
}

/** The bytes of each file, by relative path. */
export async function contents(dir: string, files: readonly string[]): Promise<Map<string, Buffer>> {
  return new Map(await Promise.all(files.map(async (f) => [f, await readFile(path.join(dir, f))] as const)));
}
