import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from 'undici';
import { describe, expect, it } from 'vitest';
import { isHttpClientFault } from '@bootsync/shared/download';

const built = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/download/index.js')).href;

/** Runs a module in a fresh node process (the built package; `npm test` builds first). */
function node(source: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', source], (err, stdout) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout }));
  });
}

describe('dependency faults', () => {
  it('tells an exception thrown inside undici from any other', () => {
    let fromUndici: unknown;
    try {
      new Client('nope://x');
    } catch (err) {
      fromUndici = err;
    }
    expect(isHttpClientFault(fromUndici)).toBe(true);
    expect(isHttpClientFault(new Error('ours'))).toBe(false);
    expect(isHttpClientFault('a string')).toBe(false);
  });

  it('lets a process go on after a fault of the HTTP client, but ends it (exit 1, after onFatal) for anything else', async () => {
    const program = (thrown: string): string => `
      import { Client } from 'undici';
      import { containDependencyFaults } from '${built}';
      const logger = { error: (o) => console.log('contained', o.event) };
      containDependencyFaults(logger, (err) => console.log('fatal', err.message));
      setImmediate(() => { ${thrown} });
      setTimeout(() => console.log('still running'), 100);`;
    const contained = await node(program("new Client('nope://x');"));
    expect(contained).toEqual({ code: 0, stdout: 'contained download.dependency_fault\nstill running\n' });
    const fatal = await node(program("throw new Error('a bug of ours');"));
    expect(fatal).toEqual({ code: 1, stdout: 'fatal a bug of ours\n' });
  });
});
