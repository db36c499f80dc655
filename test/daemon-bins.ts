import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRedisUrl, deleteKeys } from '@bootsync/testkit/redis';
import { eventually } from '@bootsync/testkit/wait';
import { redisPrefixFor } from '@bootsync/region/identity';

// The real bins, as npm links them; they run the built dist/ (`npm test` runs `tsc -b` first).
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const REGION_BIN = join(repoRoot, 'packages/region/bin/bootsync-region.js');
export const RACK_BIN = join(repoRoot, 'packages/rack/bin/bootsync-rack.js');
const CLI_BIN = join(repoRoot, 'packages/cli/bin/bootsync.js');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `bootsync` bin with its profiles (`bootsync login`) kept in `configDir`; never rejects. */
export function runBootsync(configDir: string, args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, BOOTSYNC_CONFIG_DIR: configDir } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export type LogEvent = Record<string, unknown> & { event?: string };

/** A daemon started from its bin, its pino lines parsed as they come. */
export interface Daemon {
  readonly child: ChildProcess;
  /** The `url` its started event logged. */
  readonly url: string;
  /** Every log line of stdout so far, parsed. */
  events(): LogEvent[];
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, nothing cleaned up. */
  kill(): Promise<void>;
}

/**
 * Runs `node BIN ARGS` and resolves once it logs `startedEvent` (`region.started`, `rack.started`); fails with
 * its output if it exits first. `env` is added to this process's environment.
 */
export async function startBin(bin: string, args: readonly string[], startedEvent: string, env: NodeJS.ProcessEnv = {}): Promise<Daemon> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const events = (): LogEvent[] => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogEvent);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const kill = async (): Promise<void> => {
    if (!gone()) child.kill('SIGKILL');
    await exited;
  };
  const started = await eventually(() => {
    if (gone()) throw new Error(`${bin} exited before ${startedEvent}: ${err}${out}`);
    return events().find((e) => e.event === startedEvent);
  }, 20_000, startedEvent).catch(async (error: unknown) => {
    await kill();
    throw error;
  });
  return {
    child,
    url: String(started.url),
    events,
    async stop() {
      if (!gone()) child.kill('SIGTERM');
      return exited;
    },
    kill,
  };
}

/** Removes the Redis keys of the region whose data dir is `dataDir` (none when it never got an id). */
export async function deleteRegionKeys(dataDir: string, redisUrl: string = testRedisUrl): Promise<void> {
  const regionId = (await readFile(join(dataDir, 'region-id'), 'utf8').catch(() => '')).trim();
  if (regionId !== '') await deleteKeys(redisPrefixFor(regionId), redisUrl);
}
