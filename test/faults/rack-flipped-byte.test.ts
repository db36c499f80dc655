import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { flipByte } from '@bootsync/testkit/damage';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { eventually } from '@bootsync/testkit/wait';
import { rackController, startRackScene, wholeCurrent, type RackScene } from '../rack-daemons.js';
import { report } from './report.js';

const MiB = 1024 * 1024;
const SCRUB_SECONDS = 1;
let scene: RackScene | undefined;

afterAll(async () => scene?.close());

describe('a flipped bit in a file a rack serves', () => {
  it('is served no more within about a scrub interval plus one scrub, and is served whole again after the repair', async () => {
    scene = await startRackScene({
      rack: 'rack-rot', redisUrl: testRedisUrl, squashfsBytes: 48 * MiB, sizes: { 'boot-kernel': 4 * MiB },
      rackFlags: ['--scrub-interval', `${SCRUB_SECONDS}s`],
    });
    const s = scene;
    const kernel = (await wholeCurrent(s.rackDir))!.plan.files.find((f) => f.path.endsWith('/boot-kernel') && f.path.includes('/ga-24.04/'))!;
    const file = join(s.rackDir, 'current', kernel.path);
    const good = await readFile(file);
    const url = `${s.rack.url}/images/${kernel.path}`;
    // A disk's bit rot: same size, same mtime, so only the scrub can tell.
    await flipByte(file, 3 * MiB + 7, { keepMtime: true });
    const flipped = performance.now();

    let wrongBefore = 0;
    let wrongAfter = 0;
    let withheldMs: number | undefined;
    await eventually(async () => {
      const r = await request(url);
      const body = Buffer.from(await r.body.arrayBuffer());
      if (r.statusCode === 200 && !body.equals(good)) {
        if (withheldMs === undefined) wrongBefore += 1;
        else wrongAfter += 1;
      }
      if (r.statusCode === 404) withheldMs ??= performance.now() - flipped;
      return withheldMs !== undefined && r.statusCode === 200 && body.equals(good) ? true : undefined;
    }, 30_000, 'the file withheld, then served whole', 20);
    const repairedMs = performance.now() - flipped;
    await eventually(async () => ((await rackController(s.region, 'rack-rot')).image_sync_status === 'synced' ? true : undefined), 10_000, 'synced');
    const scrubs = s.rack.events().filter((e) => e.event === 'rack.scrub.finished');
    const full = scrubs.find((e) => Number(e.bytes) > 48 * MiB);
    report('rack flipped byte', {
      scrubEverySeconds: SCRUB_SECONDS, cacheBytes: Number(full?.bytes), scrubMs: Number(full?.ms),
      scrubMiBPerSecond: full ? (Number(full.bytes) / MiB / (Number(full.ms) / 1000)).toFixed(1) : undefined,
      flipToWithheldSeconds: ((withheldMs ?? 0) / 1000).toFixed(2), flipToRepairedSeconds: (repairedMs / 1000).toFixed(2),
      wrongAnswersBeforeWithheld: wrongBefore, wrongAnswersAfterWithheld: wrongAfter,
      mismatchesLogged: s.rack.events().filter((e) => e.event === 'rack.scrub.mismatch').length,
    });
    expect(wrongAfter).toBe(0);
    expect(withheldMs).toBeLessThan(SCRUB_SECONDS * 1000 + 5_000);
    // One blob, served at two paths: the ga kernel and its generic/ hard link (MAAS's layout) are both withheld.
    expect(s.rack.events().filter((e) => e.event === 'rack.scrub.mismatch').map((e) => e.file)).toEqual([
      kernel.path,
      kernel.path.replace('/ga-24.04/', '/generic/'),
    ]);
  });
});
