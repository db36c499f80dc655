import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readlink, rename } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { UnsafeArchiveError } from '../errors/index.js';

const run = promisify(execFile);

/**
 * Unpacks bootloader `.tar.xz` archives into `targetDir` (which must not exist yet). Each archive is listed and
 * checked first, unpacked by `tar -xJf` into a temporary directory under `workDir` (inside the snapshot being
 * built, so a crash leaves nothing outside it), and the unpacked tree is checked again before it is moved in place:
 * no member may be absolute or climb out with `..`, and no symlink may point outside the directory.
 */
export async function unpackArchives(
  archives: readonly { readonly path: string; readonly label: string }[],
  targetDir: string,
  workDir: string,
  signal?: AbortSignal,
): Promise<void> {
  const tmp = await mkdtemp(join(workDir, '.unpack-'));
  for (const archive of archives) {
    const { stdout } = await tarRun(['-tJf', archive.path], archive.label, signal);
    for (const member of stdout.split('\n').filter((m) => m !== '')) checkMemberName(archive.label, member);
    await tarRun(['-xJf', archive.path, '-C', tmp, '--no-same-owner', '--no-same-permissions'], archive.label, signal);
    await checkTree(tmp, tmp, archive.label);
  }
  await mkdir(dirname(targetDir), { recursive: true });
  await rename(tmp, targetDir);
}

async function tarRun(args: string[], label: string, signal?: AbortSignal): Promise<{ stdout: string }> {
  try {
    return await run('tar', args, { maxBuffer: 64 * 1024 * 1024, signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    const stderr = (err as { stderr?: string }).stderr ?? String(err);
    throw new UnsafeArchiveError(label, '', `cannot be read by tar: ${stderr.trim()}`);
  }
}

function checkMemberName(label: string, member: string): void {
  if (isAbsolute(member)) throw new UnsafeArchiveError(label, member, 'is an absolute path');
  if (member.split(/[/\\]/).includes('..')) throw new UnsafeArchiveError(label, member, 'climbs out of its directory');
}

async function checkTree(root: string, dir: string, label: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const member = relative(root, full);
    if (entry.isDirectory()) await checkTree(root, full, label);
    else if (entry.isSymbolicLink()) {
      const target = resolve(dirname(full), await readlink(full));
      if (target !== root && !target.startsWith(root + sep)) throw new UnsafeArchiveError(label, member, 'is a symlink leading outside its directory');
    } else if (!entry.isFile()) throw new UnsafeArchiveError(label, member, 'is neither a file, a directory nor a symlink');
  }
}
