import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface ProcessMeasure {
  readonly ms: number;
  /** Peak resident set of the process (all its threads), in MB. */
  readonly peakRssMb: number;
  /** CPU time, user + system, of all its threads (GNU time only; NaN without it). */
  readonly cpuMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;

/**
 * Runs a command to its end: wall time, and its peak RSS from the kernel (GNU time's %M, from wait4; without it,
 * VmHWM read from /proc while it runs, which can miss the last moments). Rejects on a non-zero exit.
 */
export async function runMeasured(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ProcessMeasure> {
  const started = performance.now();
  const argv = hasGnuTime ? [GNU_TIME, '-f', '__peak_kb=%M cpu=%U+%S', command, ...args] : [command, ...args];
  const child = spawn(argv[0] as string, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let polledKb = 0;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const poll = hasGnuTime
    ? undefined
    : setInterval(() => {
        void readFile(`/proc/${child.pid}/status`, 'utf8').then(
          (s) => (polledKb = Math.max(polledKb, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0))),
          () => undefined,
        );
      }, 20);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ms = performance.now() - started;
  clearInterval(poll);
  const timeLine = /__peak_kb=(\d+) cpu=([\d.]+)\+([\d.]+)\s*$/.exec(stderr);
  if (timeLine) stderr = stderr.slice(0, timeLine.index);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${code}\n${stderr.slice(-2000)}`);
  const cpuMs = timeLine ? (Number(timeLine[2]) + Number(timeLine[3])) * 1000 : NaN;
  return { ms, peakRssMb: Math.round(Number(timeLine?.[1] ?? polledKb) / 1024), cpuMs, stdout, stderr };
}
