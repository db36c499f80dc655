import { open } from 'node:fs/promises';

/**
 * Bit rot, as a test makes it: flips the low bit of the byte at `offset` of `file` in place (same size, same
 * inode, same name), so only a re-hash can tell.
 */
export async function flipByte(file: string, offset: number): Promise<void> {
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
}
