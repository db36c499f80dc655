import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fillSections, generatedSections, OPERATIONS_DOC } from '../scripts/operations-doc/generate.js';
import { collectLogEvents, eventsInSource } from '../scripts/operations-doc/log-events.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('docs/operations.md', () => {
  it('has its settings, log events and metrics tables as the code has them now', async () => {
    const doc = await readFile(join(repoRoot, OPERATIONS_DOC), 'utf8');
    const fresh = fillSections(doc, await generatedSections(repoRoot));
    expect(doc, 'stale: run `npm run build && npx tsc -b scripts && node scripts/dist/operations-doc/generate.js`').toBe(fresh);
  });

  it('names every flag, env variable and file key with its default, and covers backup, restore and upgrading', async () => {
    const doc = await readFile(join(repoRoot, OPERATIONS_DOC), 'utf8');
    for (const row of ['| `--data-dir DIR` | `BOOTSYNC_DATA_DIR` | `data-dir` | `/var/lib/bootsync/region` |', '| `--region-url URL` | `BOOTSYNC_REGION_URL` | `region-url` | (required) |']) {
      expect(doc).toContain(row);
    }
    for (const heading of ['## Backup and restore of the region', '## Upgrading', '## Logs', '## Metrics']) expect(doc).toContain(heading);
  });

  it('lists every event a plain grep finds in the sources, with the fields logged beside it', async () => {
    const events = await collectLogEvents(repoRoot);
    const grepped = new Set<string>();
    for (const pkg of ['region', 'rack', 'cli', 'shared']) {
      const dir = join(repoRoot, 'packages', pkg, 'src');
      for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
        const text = await readFile(join(entry.parentPath, entry.name), 'utf8');
        for (const m of text.matchAll(/\bevent: '([a-z_.]+)'/g)) grepped.add(m[1]!);
      }
    }
    expect(grepped.size).toBeGreaterThan(20);
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining([...grepped]));
    expect(events.find((e) => e.event === 'region.started')).toMatchObject({ levels: ['info'], fields: expect.arrayContaining(['url', 'regionId']) });
  });
});

describe('the log event reader', () => {
  const source = `
    const event = refused ? 'rack.register.refused' : 'rack.start.failed';
    logger.error({ event, err });
    log.info({ event: 'import.file.verified', image, bytes: n, ...timing }, 'verified');
    this.deps.logger.warn({ 'event': "racks.sync.failed", rack });
    queue.add({ event: 'not.a.log', x });
    logger.info('plain message');
    const line = { event: 'import.finished', runId, ms };
    if (ok) this.#log.info(line);
    watchRedisOutage(redis, { logger, level: 'error', error: 'import.queue.error', restored: 'import.redis.restored', fields: { rack: name } });
  `;

  it('finds events in logger calls only, through a const, a ternary or a const object, with their other fields, and those a Redis outage watcher is given', () => {
    expect(eventsInSource(source, 'x.ts')).toEqual([
      { event: 'rack.register.refused', levels: ['error'], fields: ['err'], files: ['x.ts'] },
      { event: 'rack.start.failed', levels: ['error'], fields: ['err'], files: ['x.ts'] },
      { event: 'import.file.verified', levels: ['info'], fields: ['image', 'bytes', '...timing'], files: ['x.ts'] },
      { event: 'racks.sync.failed', levels: ['warn'], fields: ['rack'], files: ['x.ts'] },
      { event: 'import.finished', levels: ['info'], fields: ['runId', 'ms'], files: ['x.ts'] },
      { event: 'import.queue.error', levels: ['error'], fields: ['err', 'failures', 'ms', 'rack'], files: ['x.ts'] },
      { event: 'import.redis.restored', levels: ['info'], fields: ['failures', 'ms', 'rack'], files: ['x.ts'] },
    ]);
  });
});
