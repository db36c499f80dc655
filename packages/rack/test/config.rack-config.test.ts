import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigFile } from '@bootsync/shared/config';
import { resolveRackConfig } from '@bootsync/rack/config';
import { validateRackName } from '@bootsync/shared/rack-protocol';

const required = { 'region-url': 'http://10.0.0.2:5240/', 'secret-file': '/etc/bootsync/secret', name: 'rack-1' };

describe('rack configuration', () => {
  it('applies the documented defaults', () => {
    expect(resolveRackConfig(required, {})).toEqual({
      regionUrls: ['http://10.0.0.2:5240'],
      secretFile: '/etc/bootsync/secret',
      name: 'rack-1',
      dataDir: '/var/lib/bootsync/rack',
      listen: { host: '0.0.0.0', port: 5248 },
      redisUrl: 'redis://127.0.0.1:6379',
      snapshotGraceMs: 600_000,
      pruneIntervalMs: 60_000,
      scrubIntervalMs: 86_400_000,
      downloadClient: 'bootsync',
    });
  });

  it('lets flags win over BOOTSYNC_* variables, and variables over the YAML file', () => {
    const file = parseConfigFile(
      ['region-url: http://region.example:5240', 'secret_file: /from/file', 'data-dir: /from/file', 'listen: 10.0.0.3:5248', 'snapshot-grace: 2m', 'prune-interval: 30s', 'scrub-interval: 6h', 'redis-url: rediss://redis.example:6380'].join('\n'),
      '/etc/bootsync/rack.yaml',
    );
    const env = { BOOTSYNC_DATA_DIR: '/srv/rack', BOOTSYNC_LISTEN: '127.0.0.1:6000', BOOTSYNC_NAME: 'from-env', BOOTSYNC_SCRUB_INTERVAL: '0', BOOTSYNC_DOWNLOAD_CLIENT: 'undici' };
    expect(resolveRackConfig({ name: 'rack-1', listen: '[::1]:7000' }, env, file)).toEqual({
      regionUrls: ['http://region.example:5240'],
      secretFile: '/from/file',
      name: 'rack-1',
      dataDir: '/srv/rack',
      listen: { host: '::1', port: 7000 },
      redisUrl: 'rediss://redis.example:6380',
      snapshotGraceMs: 120_000,
      pruneIntervalMs: 30_000,
      scrubIntervalMs: 0,
      downloadClient: 'undici',
    });
  });

  it.each([
    [{ 'region-url': undefined }, '--region-url'],
    [{ 'region-url': 'ftp://region' }, '--region-url'],
    [{ listen: '0.0.0.0' }, '--listen'],
    [{ 'snapshot-grace': 'ten minutes' }, '--snapshot-grace'],
    [{ 'prune-interval': '0' }, '--prune-interval'],
    [{ 'scrub-interval': 'daily' }, '--scrub-interval'],
    [{ 'redis-url': 'http://redis' }, '--redis-url'],
    [{ name: 'rack:1' }, '--name'],
    [{ 'download-client': 'curl' }, '--download-client'],
  ])('refuses %o, naming %s', (over, setting) => {
    expect(() => resolveRackConfig({ ...required, ...over }, {})).toThrow(new RegExp(`^${setting}\\b`));
  });

  it('takes several regions, in order: --region-url again, or commas in BOOTSYNC_REGION_URL and region-url (a YAML list too)', () => {
    const regions = ['http://10.0.0.2:5240', 'http://10.0.0.3:5240', 'https://10.0.0.4:5240'];
    const others = { 'secret-file': required['secret-file'], name: required.name };
    const urls = (flags: object, env: NodeJS.ProcessEnv = {}, yaml?: string): readonly string[] =>
      resolveRackConfig({ ...others, ...flags }, env, yaml === undefined ? undefined : parseConfigFile(yaml, '/etc/bootsync/rack.yaml')).regionUrls;
    expect(urls({ 'region-url': ['http://10.0.0.2:5240/', 'http://10.0.0.3:5240', 'https://10.0.0.4:5240'] })).toEqual(regions);
    expect(urls({}, { BOOTSYNC_REGION_URL: ' http://10.0.0.2:5240, http://10.0.0.3:5240 ,https://10.0.0.4:5240' })).toEqual(regions);
    expect(urls({}, {}, 'region-url: http://10.0.0.2:5240,http://10.0.0.3:5240,https://10.0.0.4:5240\n')).toEqual(regions);
    expect(urls({}, {}, 'region-url:\n  - http://10.0.0.2:5240\n  - http://10.0.0.3:5240\n  - https://10.0.0.4:5240\n')).toEqual(regions);
    // Each region once, whichever way it was written.
    expect(urls({ 'region-url': ['http://10.0.0.2:5240/', 'http://10.0.0.2:5240'] })).toEqual(['http://10.0.0.2:5240']);
    expect(() => urls({ 'region-url': ['http://10.0.0.2:5240', 'ftp://10.0.0.3'] })).toThrow(
      /^--region-url: ftp:\/\/10\.0\.0\.3: expected a URL starting with http:\/\/ or https:\/\/ \(got \["http:\/\/10\.0\.0\.2:5240","ftp:\/\/10\.0\.0\.3"\] from flag --region-url\)/,
    );
    expect(() => urls({}, { BOOTSYNC_REGION_URL: ' , ' })).toThrow(/^--region-url: expected one URL or more, separated by commas/);
  });

  it('reaches Redis through Sentinel with --redis-sentinels and --redis-sentinel-name, both or neither', () => {
    const sentinels = [{ host: '10.0.0.2', port: 26379 }, { host: 'fd00::3', port: 26379 }];
    const env = { BOOTSYNC_REDIS_SENTINELS: '10.0.0.2:26379, [fd00::3]:26379', BOOTSYNC_REDIS_SENTINEL_NAME: 'bootsync' };
    expect(resolveRackConfig(required, env).redisSentinel).toEqual({ sentinels, name: 'bootsync' });
    const file = parseConfigFile('redis-sentinels:\n  - 10.0.0.2:26379\n  - "[fd00::3]:26379"\nredis-sentinel-name: bootsync\n', '/etc/bootsync/rack.yaml');
    expect(resolveRackConfig(required, {}, file).redisSentinel).toEqual({ sentinels, name: 'bootsync' });
    expect(resolveRackConfig(required, {}).redisSentinel).toBeUndefined();
    expect(() => resolveRackConfig(required, { BOOTSYNC_REDIS_SENTINELS: '10.0.0.2' })).toThrow(/^--redis-sentinels: 10\.0\.0\.2: expected HOST:PORT/);
    expect(() => resolveRackConfig(required, { BOOTSYNC_REDIS_SENTINELS: '10.0.0.2:26379' })).toThrow(/^--redis-sentinel-name: is required with --redis-sentinels/);
    expect(() => resolveRackConfig(required, { BOOTSYNC_REDIS_SENTINEL_NAME: 'bootsync' })).toThrow(/^--redis-sentinels: is required with --redis-sentinel-name/);
  });

  it('refuses a YAML key it does not know, naming the file and line', () => {
    const file = parseConfigFile('data-dir: /srv\nsync-interval: 5m\n', '/etc/bootsync/rack.yaml');
    expect(() => resolveRackConfig(required, {}, file)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', key: 'sync-interval', origin: { kind: 'file', file: '/etc/bootsync/rack.yaml', line: 2 } }));
  });

  it.each(['rack:1', '', 'a/b', '-lead', 'x'.repeat(64), 'rack 1'])('refuses the rack name %j (BullMQ, paths, URLs)', (name) => {
    expect(() => validateRackName(name)).toThrow(expect.objectContaining({ code: 'RACK_INVALID_NAME', rackName: name }));
  });

  it.each(['rack-1', 'r1.dc2', 'RACK_7'])('accepts the rack name %j', (name) => {
    expect(validateRackName(name)).toBe(name);
  });
});

describe('bootsync-rack --config', () => {
  // The real bin, as npm links it; it runs the built dist/ (`npm test` runs `tsc -b` first).
  const bin = fileURLToPath(new URL('../bin/bootsync-rack.js', import.meta.url));
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bootsync-rack-config-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    promisify(execFile)(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('reads its settings from the file BOOTSYNC_CONFIG names, and refuses a bad one with one line and exit 2', async () => {
    const file = join(dir, 'rack.yaml');
    await writeFile(file, `region-url: http://127.0.0.1:1\nsecret-file: ${join(dir, 'secret')}\nlisten: nowhere\n`);
    const result = await run([], { BOOTSYNC_CONFIG: file });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`bootsync-rack: --listen: expected HOST:PORT, e.g. 0.0.0.0:5240 or [::1]:5240 (got "nowhere" from ${file}:3)\n`);
  });

  it('names a missing required setting', async () => {
    const result = await run(['--secret-file', join(dir, 'secret')], { BOOTSYNC_REGION_URL: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^bootsync-rack: --region-url=.*is required/);
  });
});
