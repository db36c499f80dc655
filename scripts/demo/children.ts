import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BootsyncError } from '@bootsync/shared/errors';

/** One pino JSON line of a child's output; a line that is not JSON reads as `{ msg: <the line> }`. */
export type LogLine = Readonly<Record<string, unknown>>;

export interface RunningChild {
  readonly name: string;
  readonly pid: number;
  /** Where its stdout and stderr go. */
  readonly logFile: string;
}

interface Tracked {
  readonly child: ChildProcess;
  readonly log: WriteStream;
  readonly exited: Promise<void>;
}

const STOP_GRACE_MS = 12_000;

/** A child exited, failed to spawn or did not log its ready event in time. */
export class ChildStartError extends BootsyncError {
  constructor(
    readonly child: string,
    readonly logFile: string,
    readonly reason: string,
    /** The spawn error's code (`ENOENT`: the program is not installed). */
    readonly errno?: string,
  ) {
    super('DEMO_CHILD_FAILED', `${child} ${reason}; see ${logFile}`);
  }
}

/**
 * The demo's child processes. Each one's output goes to `<logDir>/<name>.log` (never the terminal) while its JSON
 * lines are watched for the event that says it is up; `stopAll` sends SIGTERM, then SIGKILL after a grace period.
 */
export class Children {
  readonly #tracked = new Map<string, Tracked>();

  constructor(readonly logDir: string) {
    // Last resort if the demo itself dies: children live in their own process groups and would outlive it.
    process.once('exit', () => {
      for (const t of this.#tracked.values()) t.child.kill('SIGKILL');
    });
  }

  /**
   * Spawns `command args` and resolves with the first log line `ready` accepts; rejects when the process exits or
   * `timeoutMs` passes first, naming its log file.
   */
  start(name: string, command: string, args: readonly string[], ready: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    const logFile = join(this.logDir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    // A process group of its own: the terminal's Ctrl-C reaches only the demo, which stops children in order.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(), detached: true });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.#tracked.set(name, { child, log, exited });
    child.stderr!.pipe(log, { end: false });
    const lines = createInterface({ input: child.stdout! });
    return new Promise<LogLine>((resolve, reject) => {
      const fail = (why: string): void => reject(new ChildStartError(name, logFile, why));
      const timer = setTimeout(() => fail(`did not start within ${timeoutMs / 1000} s`), timeoutMs);
      child.once('error', (err: NodeJS.ErrnoException) => reject(new ChildStartError(name, logFile, `could not be started (${err.message})`, err.code)));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(`exited (${signal ?? `code ${code}`}) before it was ready`);
      });
      lines.on('line', (text) => {
        log.write(`${text}\n`);
        const line = parseLine(text);
        if (ready(line)) {
          clearTimeout(timer);
          resolve(line);
        }
      });
    });
  }

  get running(): RunningChild[] {
    return [...this.#tracked].flatMap(([name, t]) =>
      t.child.exitCode === null && t.child.signalCode === null && t.child.pid !== undefined
        ? [{ name, pid: t.child.pid, logFile: join(this.logDir, `${name}.log`) }]
        : [],
    );
  }

  /** Stops every child, the last started first (racks before their region, Redis last). */
  async stopAll(): Promise<void> {
    for (const [, t] of [...this.#tracked].reverse()) {
      if (t.child.exitCode === null && t.child.signalCode === null) {
        t.child.kill('SIGTERM');
        const killer = setTimeout(() => t.child.kill('SIGKILL'), STOP_GRACE_MS);
        await t.exited;
        clearTimeout(killer);
      }
      await new Promise<void>((resolve) => t.log.end(resolve));
    }
    this.#tracked.clear();
  }
}

function parseLine(text: string): LogLine {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null) return value as LogLine;
  } catch {
    // Not JSON (redis-server's own log): matched by its text.
  }
  return { msg: text };
}

/** The children get every setting as a flag: an operator's BOOTSYNC_* variables must not reach them. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BOOTSYNC_')));
}
