import { open, stat, utimes } from 'node:fs/promises';

/**
 * Bit rot, as a test makes it: flips the low bit of the byte at `offset` of `file` in place (same size, same
 * inode, same name), so only a re-hash can tell. The write moves the file's mtime unless `keepMtime` puts it back
 * (a disk's own corruption does not touch it; a stray write does).
 */
export async function flipByte(file: string, offset: number, options: { keepMtime?: boolean } = {}): Promise<void> {
  const before = await stat(file);
  const fh = await open(file, 'r+');
  try {
    const one = Buffer.alloc(1);
    const { bytesRead } = await fh.read(one, 0, 1, offset);
    if (bytesRead !== 1) throw new RangeError(`${file} has no byte at offset ${offset}`);
    one[0] = (one[0] ?? 0) ^ 0x01;
    await fh.write(one, 0, 1, offset);
  } finally {
    await fh.close();
  }
  // utimes takes seconds as a double; half a microsecond more keeps the millisecond from rounding down to the one before.
  if (options.keepMtime) await utimes(file, before.atime, (Math.trunc(before.mtimeMs) + 0.0005) / 1000);
}
