import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A file of random bytes written for a test, with every checksum a stream item could carry. */
export interface PayloadFile {
  /** Relative to the directory it was written in, with a leading `/` (the server's URL path). */
  readonly urlPath: string;
  readonly file: string;
  readonly bytes: Buffer;
  readonly size: number;
  readonly sha256: string;
  readonly sha512: string;
  readonly md5: string;
}

export async function writePayload(dir: string, name: string, size: number): Promise<PayloadFile> {
  const bytes = randomBytes(size);
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  const digest = (a: string): string => createHash(a).update(bytes).digest('hex');
  return {
    urlPath: `/${name}`,
    file,
    bytes,
    size,
    sha256: digest('sha256'),
    sha512: digest('sha512'),
    md5: digest('md5'),
  };
}
