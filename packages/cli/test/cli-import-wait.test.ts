import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaasApiClient } from '../src/api-client/index.js';
import { waitForImport } from '../src/commands/import-wait.js';
import { createImportHarness, NOBLE_AMD64, startApi, type ApiHarness, type ImportHarness } from '@bootsync/region/testing';

let imports: ImportHarness;
let api: ApiHarness;
let client: MaasApiClient;

beforeAll(async () => {
  imports = await createImportHarness({ selections: [NOBLE_AMD64] });
  api = await startApi({ imports: imports.service }, { repos: imports.repos });
  const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
  client = new MaasApiClient(`${address}/MAAS/api/2.0/`, api.apiKey);
});
afterAll(async () => {
  await api.close();
  await imports.close();
});

describe('boot-resources import --wait', () => {
  it('redraws one bar on a terminal and ends with the outcome of the run', async () => {
    const written: string[] = [];
    await client.call('POST', '/MAAS/api/2.0/boot-resources/', { op: 'import' });
    const outcome = await waitForImport(client, '/MAAS/api/2.0/boot-resources/', 20, { isTTY: true, write: (t: string) => written.push(t) });
    expect(outcome).toBe('succeeded');
    const text = written.join('');
    const [bars, summary] = text.split('\n') as [string, string];
    expect(bars.startsWith('\r\x1b[K[')).toBe(true);
    expect(bars.split('\r\x1b[K').at(-1)).toMatch(/^\[#{30}\] 100%  (\d+)\/\1 images$/);
    expect(summary).toMatch(/^Import finished: succeeded, [1-9]\d* bytes$/);
  });
});
