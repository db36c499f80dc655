import { tmpdir } from 'node:os';
import { createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { checkFreeDisk } from './machine.js';

const MiB = 2 ** 20;

/**
 * The stream the import and mirror benchmarks fetch: jammy and noble amd64, one version, ga and hwe subarches sharing
 * each release's squashfs (2 x `squashfs` + 4 x (16 MiB kernel + 32 MiB initrd) + 2 manifests: 12 unique files),
 * written under `work` once `copies` times its size fits on the disk.
 */
export async function benchStream(work: string, squashfs: number, copies: number): Promise<GeneratedMirror> {
  await checkFreeDisk(work, copies * (2 * squashfs + 200 * MiB));
  return createSignedMirror(work, {
    arches: ['amd64'],
    versions: ['20250718'],
    bootloaders: false,
    centos: false,
    sizes: { squashfs, 'boot-kernel': 16 * MiB, 'boot-initrd': 32 * MiB, manifest: 64 * 1024 },
  });
}

/** Command-line options of the benchmarks that fetch this stream (for `parseArgs`). */
export const STREAM_BENCH_ARGS = {
  'squashfs-mib': { type: 'string', default: '420' },
  runs: { type: 'string', default: '3' },
  concurrency: { type: 'string', default: '4' },
  dir: { type: 'string', default: tmpdir() },
  /** Canonical's sstream-mirror, to run beside bootsync (bench/lib/sstream-mirror.ts). */
  'sstream-mirror': { type: 'string' },
} as const;
