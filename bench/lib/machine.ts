import { spawn } from 'node:child_process';
import { statfs } from 'node:fs/promises';

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
