import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@bootsync/shared/logging';
import { ContentStore } from '@bootsync/shared/store';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@bootsync/testkit/redis';
import { API_RESOURCES, describeHash } from '../src/api/index.js';
import type { ApiKey } from '../src/db/index.js';
import { RackService } from '../src/racks/index.js';
import { sourceProber } from '../src/source-prober.js';
import { maasCall, oauthHeader, startApi, type ApiHarness } from './api-harness.js';
import { createImportHarness, type ImportHarness } from './import-harness.js';
import { captured, exchange, MAASCLI_FIXTURES } from './maascli-replay.js';
import { transcriptSections } from './maas-transcript-cases.js';
import {
  differsFromMaas,
  fillTranscript,
  REGENERATE,
  renderTranscript,
  type Answer,
  type Exchange,
  type TranscriptCase,
  type TranscriptSection,
} from './maas-transcript.js';

/**
 * The transcript of the MAAS API as the maas CLI drives it (maas-transcript-cases.ts), run against one region (its
 * API listening on TCP, the real import service and racks on Redis, a signed mirror): the real client's captured
 * requests byte for byte, the others as the CLI encodes them. It checks each answer carries the API hash, that each
 * place marked as differing from MAAS still does, that every captured request and every described action is in it,
 * and that docs/maas-cli-compat.md holds the transcript as rendered now (BOOTSYNC_WRITE_DOCS=1 rewrites it).
 */
const DOC = join(import.meta.dirname, '..', '..', '..', 'docs', 'maas-cli-compat.md');
/** Replayed by api.real-client.test.ts: the 25 chunks of a 100 MB upload. */
const REPLAYED_ELSEWHERE = ['10-boot-resource-upload-chunks'];
const API_ROOT = '/MAAS/api/2.0/';

const prefix = uniquePrefix('transcript');
let imports: ImportHarness;
let racks: RackService;
let api: ApiHarness;
let host: string;
let viewer: ApiKey;

beforeAll(async () => {
  imports = await createImportHarness({ selections: [] });
  racks = new RackService({
    repos: imports.repos, store: new ContentStore({ root: imports.storeRoot }), secret: 'transcript', redisUrl: testRedisUrl,
    redisPrefix: prefix, syncIntervalMs: 60_000, logger: createLogger('transcript', { level: 'silent' }), isImporting: () => imports.service.isImporting(),
  });
  await racks.start();
  api = await startApi({ imports: imports.service, prober: sourceProber, racks }, { repos: imports.repos });
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('API is not listening on TCP');
  host = `127.0.0.1:${address.port}`;
  viewer = await imports.repos.apiKeys.ensureUser('viewer', false);
}, 60_000);
afterAll(async () => {
  await api?.close();
  await racks?.stop();
  await imports?.close();
  await deleteKeys(prefix);
});

/** The request line the doc shows: the path as sent, its query included. */
function requestLine(c: TranscriptCase): string {
  if ('captured' in c.request) {
    const raw = captured(c.request.captured, host, api.key, c.request.vars).toString('latin1');
    return raw.slice(0, raw.indexOf(' HTTP/1.1'));
  }
  const { method, path, fields = [] } = c.request;
  const [route, op] = path.split('?') as [string, string?];
  const query = new URLSearchParams(op);
  if (method === 'GET' || method === 'DELETE') for (const [k, v] of fields) query.append(k, String(v));
  const qs = query.toString();
  return `${method} ${API_ROOT}${route}${qs ? `?${qs}` : ''}`;
}

async function send(c: TranscriptCase): Promise<Answer & { hash: string | undefined }> {
  const key = (c.request.as ?? 'admin') === 'viewer' ? viewer : api.key;
  if ('captured' in c.request) {
    const answer = await exchange(host, captured(c.request.captured, host, key, c.request.vars));
    return { status: answer.status, contentType: answer.headers['content-type'] ?? '', body: answer.body, hash: answer.headers['x-maas-api-hash'] };
  }
  const authorization = c.request.as === 'nobody' ? null : oauthHeader(key);
  const res = await maasCall(api, c.request.method, c.request.path, c.request.fields, authorization);
  const header = (name: string): string | undefined => (res.headers[name] === undefined ? undefined : String(res.headers[name]));
  return { status: res.statusCode, contentType: header('content-type') ?? '', body: res.body, hash: header('x-maas-api-hash') };
}

/** The days the transcript ran on, as an upload's set version names them (YYYYMMDD). */
const runDays = new Set<string>();
const today = (): string => new Date().toISOString().slice(0, 10).replaceAll('-', '');

/** What differs from run to run, replaced by words the doc can hold: the mirror's port, temp dirs, dates. */
function normalized(answer: Answer): Answer {
  let body = answer.body
    .replaceAll(imports.source.url, 'http://MIRROR')
    .replaceAll(dirname(imports.mirror.keyring.binary), 'DIR')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?/g, 'DATE');
  for (const day of runDays) body = body.replaceAll(`"${day}"`, '"YYYYMMDD"');
  return { ...answer, body };
}

/** The action of the route table a request line reaches, as `Handler method op`. */
function actionOf(line: string): string | undefined {
  const [method, url] = line.split(' ') as [string, string];
  const [path, query] = url.slice(API_ROOT.length).split('?') as [string, string?];
  const op = new URLSearchParams(query).getAll('op').at(-1) ?? null;
  for (const resource of API_RESOURCES) {
    const pattern = new RegExp(`^${resource.path.replace(/\{[a-z_]+\}/g, '[^/]+')}$`);
    const action = resource.actions.find((a) => a.method === method && a.op === op);
    if (pattern.test(path) && action) return `${resource.name} ${method} ${op ?? ''}`;
  }
  return undefined;
}

describe('the transcript of the MAAS API as the maas CLI drives it', () => {
  it('answers each request as recorded, marks where MAAS answers otherwise, and is what docs/maas-cli-compat.md shows', async () => {
    const world = {
      mirrorUrl: imports.source.url,
      keyring: imports.mirror.keyring.binary,
      importFinishes: async () => void (await imports.nextFinish()),
      rackSynced: async (name: string) => {
        await racks.register(name);
        const images = (await racks.stream()).images.map(({ product, version }) => ({ product, version }));
        await racks.racks.syncSucceeded(name, { snapshot: 'snapshot-1', changed: true, bytesFetched: 0, files: 0, images }, new Date().toISOString());
      },
    };
    const hash = describeHash(API_RESOURCES, API_ROOT);
    const results: { section: TranscriptSection; exchanges: Exchange[] }[] = [];
    for (const section of transcriptSections(world)) {
      const exchanges: Exchange[] = [];
      for (const c of section.cases) {
        await c.before?.();
        runDays.add(today());
        const { hash: sent, ...answer } = await send(c);
        runDays.add(today());
        await c.after?.(answer);
        // maascli warns "Refresh the local API description with `maas refresh`" when this differs from describe's.
        expect({ cli: c.cli, hash: sent }).toEqual({ cli: c.cli, hash });
        if (c.maas) expect(differsFromMaas(answer, c.maas), `${c.cli}: answers as MAAS ${c.maas.version} now; drop its ≠ mark`).toBe(true);
        exchanges.push({ case: c, requestLine: requestLine(c), answer: normalized(answer) });
      }
      results.push({ section, exchanges });
    }
    const all = results.flatMap((r) => r.exchanges);

    // Every request the real client was captured sending is in the transcript (or replayed where it says).
    const capturedNames = all.flatMap((e) => ('captured' in e.case.request ? [e.case.request.captured] : []));
    const fixtures = readdirSync(MAASCLI_FIXTURES).filter((f) => f.endsWith('.http')).map((f) => f.slice(0, -'.http'.length));
    expect(fixtures.filter((f) => !capturedNames.includes(f) && !REPLAYED_ELSEWHERE.includes(f))).toEqual([]);
    // Every action describe lists is exercised: a new one fails here until the transcript covers it.
    const exercised = new Set(all.map((e) => actionOf(e.requestLine)));
    const described = API_RESOURCES.filter((r) => !r.hidden).flatMap((r) => r.actions.map((a) => `${r.name} ${a.method} ${a.op ?? ''}`));
    expect(described.filter((a) => !exercised.has(a))).toEqual([]);

    const doc = await readFile(DOC, 'utf8');
    const fresh = fillTranscript(doc, renderTranscript(results));
    if (process.env.BOOTSYNC_WRITE_DOCS === '1') await writeFile(DOC, fresh);
    else expect(doc, `docs/maas-cli-compat.md is stale: run \`${REGENERATE}\``).toBe(fresh);
  }, 120_000);
});
