import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturingLogger } from '@bootsync/testkit/logs';
import { REGIONS_FILE, rememberedRegions, rememberRegions } from '@bootsync/rack/regions';
import { tempDir } from './rack-fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('regions-file'));
});
afterEach(() => cleanup());

describe('the regions a rack remembers in its data dir', () => {
  it('are the live regions its last registration named, read back after a restart', async () => {
    const { logger, lines } = capturingLogger('rack');
    expect(await rememberedRegions(dir, logger)).toEqual([]);
    await rememberRegions(join(dir, 'data'), ['http://10.0.0.2:5240', 'http://10.0.0.3:5240']);
    await rememberRegions(join(dir, 'data'), ['http://10.0.0.3:5240']);
    expect(await rememberedRegions(join(dir, 'data'), logger)).toEqual(['http://10.0.0.3:5240']);
    expect(JSON.parse(await readFile(join(dir, 'data', REGIONS_FILE), 'utf8'))).toEqual({ regions: ['http://10.0.0.3:5240'] });
    // Written through a temporary file renamed over it: nothing else is left behind.
    expect(await readdir(join(dir, 'data'))).toEqual([REGIONS_FILE]);
    expect(lines).toEqual([]);
  });

  it.each(['{"regions": "http://10.0.0.2:5240"}', '{"regions": [42]}', '{"regi'])('count as none when the file is damaged (%s), saying so', async (text) => {
    const { logger, lines } = capturingLogger('rack');
    await writeFile(join(dir, REGIONS_FILE), text);
    expect(await rememberedRegions(dir, logger)).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ event: 'rack.regions.unreadable', file: join(dir, REGIONS_FILE), err: expect.anything() })]);
  });
});
