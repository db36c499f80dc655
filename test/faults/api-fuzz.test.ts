import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { capturingLogger, type LogLine } from '@bootsync/testkit/logs';
import { createSignedMirror } from '@bootsync/testkit/mirror';
import { deleteKeys } from '@bootsync/testkit/redis';
import { eventually } from '@bootsync/testkit/wait';
import { oauthHeader, startRegion, tableContents, testRegionOptions, type RunningRegion } from '@bootsync/region/testing';
import { generateInputs, INPUT_KINDS, type FuzzTarget } from './api-inputs.js';
import { Prng, seedFromEnv } from './prng.js';
import { report } from './report.js';

const INPUTS = Number(process.env.FAULTS_API_INPUTS ?? 3000);
const seed = seedFromEnv();

let dir: string;
let upstream: MisbehavingServer;
let region: RunningRegion;
let logs: LogLine[] = [];

/** The whole region as the bin runs it (import, racks, MAAS API, page), imported once from a local signed mirror. */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bootsync-fuzz-'));
  const mirror = await createSignedMirror(join(dir, 'upstream'));
  upstream = await startMisbehavingServer({ root: mirror.root });
  const options = await testRegionOptions(join(dir, 'region'), { defaultSourceUrl: `${upstream.url}/`, defaultKeyring: mirror.keyring.binary });
  const { logger, lines } = capturingLogger('bootsync-region');
  logs = lines;
  region = await startRegion(options, logger, 'full');
  await eventually(async () => ((await region.imports?.lastRuns(1))?.[0]?.outcome === 'succeeded' ? true : undefined), 30_000, 'the start-up import');
  await region.repositories.config.set('boot_images_auto_import', false);
}, 60_000);
afterAll(async () => {
  await region?.stop();
  await upstream?.close();
  if (region) await deleteKeys(region.identity.redisPrefix);
  await rm(dir, { recursive: true, force: true });
});

/** Every row of every table as JSON, in a stable order: "nothing changed" means this is equal before and after. */
function dumpTables(): Promise<Map<string, string>> {
  return tableContents(region.repositories.db);
}

async function fuzzTarget(): Promise<FuzzTarget> {
  const repos = region.repositories;
  const key = await repos.apiKeys.ensureAdmin();
  const [source] = await repos.bootSources.list();
  const [selection] = source ? await repos.selections.listForSource(source.id) : [];
  const [resource] = await repos.bootResources.list();
  if (!key || !source || !selection || !resource) throw new Error('the region has no key, source, selection or image to aim at');
  return { ...key, sourceId: source.id, selectionId: selection.id, resourceId: resource.id, maxId: 1_000, rackSecret: region.identity.secret };
}

describe('the region fed malformed API input', () => {
  it(`answers ${INPUTS} generated bad requests with a 4xx and a message, changes nothing, and keeps serving`, async () => {
    console.log(`[faults] api-fuzz seed=${seed} (replay: FAULTS_SEED=${seed} npm run test:faults -- api-fuzz)`);
    const target = await fuzzTarget();
    const before = await dumpTables();
    const inputs = generateInputs(new Prng(seed), target, INPUTS);
    const statuses = new Map<number, number>();
    const wrong: string[] = [];

    // A Client sends each path as written: a URL would resolve `..` and `%2e%2e` before the region saw them.
    const client = new Client(region.url);
    for (const input of inputs) {
      const res = await client.request({ path: input.path, method: input.method as 'GET', headers: input.headers, body: input.body });
      const body = await res.body.text();
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const hasMessage = input.method === 'HEAD' || body.trim().length > 0;
      if (!input.expect.includes(res.statusCode) || !hasMessage) wrong.push(`${input.kind} (${input.what}): HTTP ${res.statusCode} ${JSON.stringify(body.slice(0, 120))}`);
    }

    await client.close();
    expect(wrong).toEqual([]);
    const after = await dumpTables();
    const changed = [...before].filter(([table, rows]) => after.get(table) !== rows).map(([table]) => table);
    expect(changed).toEqual([]);
    expect([...after.keys()]).toEqual([...before.keys()]);
    expect(logs.filter((l) => l.event === 'api.failed' || Number(l.level) >= 50)).toEqual([]);
    const whoami = await request(`${region.url}/MAAS/api/2.0/users/?op=whoami`, { headers: { authorization: oauthHeader(target) } });
    expect(whoami.statusCode).toBe(200);
    expect(JSON.parse(await whoami.body.text())).toMatchObject({ username: expect.any(String) });
    expect((await request(`${region.url}/readyz`)).statusCode).toBe(200);
    report('api-fuzz', {
      seed,
      inputs: inputs.length,
      kinds: INPUT_KINDS.length,
      statuses: [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}x${n}`).join(','),
      wrong: wrong.length,
      server5xx: [...statuses.keys()].filter((s) => s >= 500).length,
      tables: before.size,
      tablesChanged: changed.length,
    });
  });
});
