import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFile, statfs } from 'node:fs/promises';

/** Refuses to start when the benchmark's files would not fit, rather than filling the disk. */
export async function checkFreeDisk(dir: string, needed: number): Promise<void> {
  const s = await statfs(dir);
  const available = s.bavail * s.bsize;
  if (available < needed) {
    throw new Error(`benchmark needs ${mb(needed)} MB free in ${dir}, only ${mb(available)} MB available`);
  }
}

/** Peak resident set size of this process so far (threads included), in MB. */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

export function mb(bytes: number): number {
  return Math.round(bytes / 1e6);
}

/** Runs a shell command line, resolving with its stdout; rejects on a non-zero exit. */
export function sh(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command}: exit ${code}`))));
  });
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

/** CPU time (user + system, all threads) a live process has used so far, in seconds, from /proc (Linux). */
export async function processCpuSeconds(pid: number): Promise<number> {
  // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th, in clock ticks.
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** As processCpuSeconds, for a process and its children (nginx's master and workers). */
export async function processTreeCpuSeconds(pid: number): Promise<number> {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).split(' ').filter((c) => c !== '');
  const all = await Promise.all([pid, ...children.map(Number)].map((p) => processCpuSeconds(p).catch(() => 0)));
  return all.reduce((a, b) => a + b, 0);
}

/** USER_HZ, 100 on every Linux build that matters here. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Runs this benchmark script again as a child (`--child <job as JSON>`), so what it measures (peak RSS, CPU) is the
 * child's alone; resolves with the JSON line the child prints on stdout.
 */
export function runAsChild<T>(scriptUrl: string, job: unknown, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(scriptUrl), '--child', JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`${what}: exit ${code}`))));
  });
}

/** What a measured child process reports. */
export interface ChildMeasure {
  readonly ms: number;
  /** CPU time of every thread of the process during the work: less sensitive than ms to a busy machine. */
  readonly cpuMs: number;
  readonly peakRssMb: number;
}
