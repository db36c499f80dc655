import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runMeasured, type ProcessMeasure } from './measured-process.js';

/**
 * Canonical's sstream-mirror (the `simplestreams` Python package), when it can be found: `--sstream-mirror PATH`
 * (a checkout's bin/sstream-mirror runs with the checkout on PYTHONPATH), else `sstream-mirror` on PATH. See
 * bench/README.md for how to get it where Debian does not ship it.
 */
export interface SstreamMirror {
  readonly describe: string;
  /** Mirrors `indexUrl` (a .../streams/v1/index.sjson) into `out`, verified with `keyring`, as the MAAS docs run it. */
  run(indexUrl: string, out: string, keyring: string, filters: readonly string[], max: number): Promise<ProcessMeasure>;
}

export function findSstreamMirror(given: string | undefined): SstreamMirror | undefined {
  const bin = given ?? whichSstreamMirror();
  if (bin === undefined || !existsSync(bin)) return undefined;
  const checkout = path.resolve(path.dirname(bin), '..');
  const fromCheckout = existsSync(path.join(checkout, 'simplestreams', '__init__.py'));
  const env = fromCheckout ? { ...process.env, PYTHONPATH: [checkout, process.env.PYTHONPATH].filter(Boolean).join(':') } : process.env;
  const python = fromCheckout ? 'python3' : undefined;
  return {
    describe: fromCheckout ? `${bin} (PYTHONPATH=${checkout})` : bin,
    run: (indexUrl, out, keyring, filters, max) => {
      const args = [`--keyring=${keyring}`, `--max=${max}`, indexUrl, out, ...filters];
      return python ? runMeasured(python, [bin, ...args], env) : runMeasured(bin, args, env);
    },
  };
}

function whichSstreamMirror(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v sstream-mirror'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}
