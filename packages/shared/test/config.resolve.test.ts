import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  ConfigFileError,
  booleanOption,
  durationOption,
  byteSizeOption,
  hostPortOption,
  integerOption,
  loadConfig,
  parseConfigFile,
  resolveConfig,
  stringOption,
  urlOption,
} from '@bootsync/shared/config';

const specs = {
  dataDir: stringOption({ description: 'data', default: '/var/lib/x', valueName: 'DIR' }),
  retention: integerOption({ description: 'sets kept', default: 1, min: 1 }),
  redisUrl: urlOption({ description: 'redis', default: 'redis://127.0.0.1:6379', protocols: ['redis:', 'rediss:'] }),
  listen: hostPortOption({ description: 'listen', default: { host: '0.0.0.0', port: 5240 } }),
  verbose: booleanOption({ description: 'v', default: false }),
  config: stringOption({ description: 'file', default: undefined }),
};

const file = parseConfigFile('data-dir: /from/file\nretention: 3\nredis_url: redis://file:6379\n', '/etc/region.yaml');

describe('resolveConfig precedence', () => {
  it.each([
    { name: 'flag wins over env and file', flags: { retention: '7' }, env: { BOOTSYNC_RETENTION: '5' }, want: 7, origin: { kind: 'flag', name: '--retention' } },
    { name: 'env wins over file', flags: {}, env: { BOOTSYNC_RETENTION: '5' }, want: 5, origin: { kind: 'env', name: 'BOOTSYNC_RETENTION' } },
    { name: 'file wins over default', flags: {}, env: {}, want: 3, origin: { kind: 'file', file: '/etc/region.yaml', line: 2 } },
    { name: 'empty env is unset', flags: {}, env: { BOOTSYNC_RETENTION: '' }, want: 3, origin: { kind: 'file', file: '/etc/region.yaml', line: 2 } },
  ])('$name', ({ flags, env, want, origin }) => {
    const { values, origins } = resolveConfig(specs, { flags, env, file });
    expect(values.retention).toBe(want);
    expect(origins.retention).toEqual(origin);
  });

  it('falls back to defaults, and reads snake and kebab keys from the file', () => {
    const { values, origins } = resolveConfig(specs, { file });
    expect(values).toEqual({
      dataDir: '/from/file',
      retention: 3,
      redisUrl: 'redis://file:6379',
      listen: { host: '0.0.0.0', port: 5240 },
      verbose: false,
      config: undefined,
    });
    expect(origins.listen).toEqual({ kind: 'default' });
  });

  it('accepts commander-style camelCase flags and parses typed values', () => {
    const { values } = resolveConfig(specs, { flags: { dataDir: '/d', listen: '[::1]:0', verbose: true }, env: { BOOTSYNC_VERBOSE: 'no' } });
    expect(values.dataDir).toBe('/d');
    expect(values.listen).toEqual({ host: '::1', port: 0 });
    expect(values.verbose).toBe(true);
  });
});

describe('durationOption', () => {
  const durations = { interval: durationOption({ description: 'every', default: 300_000, minMs: 1_000 }) };

  it.each([
    ['300', 300_000],
    ['45s', 45_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    [90, 90_000],
  ])('reads %j as %d ms', (raw, ms) => {
    expect(resolveConfig(durations, { file: { path: '/f.yaml', values: { interval: raw }, lines: {} } }).values.interval).toBe(ms);
  });

  it.each(['0', '5 minutes', '1d', '-3s', ''])('refuses %j, naming the flag and what it takes', (raw) => {
    expect(() => resolveConfig(durations, { env: { BOOTSYNC_INTERVAL: raw || ' ' } })).toThrow(
      /^--interval: expected a duration such as 300, 300s, 5m or 1h, at least 1s \(got ".*" from env BOOTSYNC_INTERVAL\)$/,
    );
  });

  it('shows a default in its largest whole unit', () => {
    const show = durations.interval.format;
    expect([300_000, 7_200_000, 90_000, 45_000, 1_500].map((ms) => show?.(ms))).toEqual(['5m', '2h', '90s', '45s', '1500ms']);
  });
});

describe('byteSizeOption', () => {
  const sizes = { max: byteSizeOption({ description: 'largest', default: 64 * 2 ** 20, min: 1024 }) };

  it.each([
    ['67108864', 64 * 2 ** 20],
    ['64MiB', 64 * 2 ** 20],
    ['64M', 64 * 2 ** 20],
    ['512 KiB', 512 * 1024],
    ['1gb', 2 ** 30],
    [2048, 2048],
  ])('reads %j as %d bytes', (raw, bytes) => {
    expect(resolveConfig(sizes, { file: { path: '/f.yaml', values: { max: raw }, lines: {} } }).values.max).toBe(bytes);
  });

  it.each(['0', '100', '64 megabytes', '1TiB', '-5M', '1.5M'])('refuses %j, naming the flag and what it takes', (raw) => {
    expect(() => resolveConfig(sizes, { env: { BOOTSYNC_MAX: raw } })).toThrow(
      /^--max: expected a size such as 67108864, 512KiB, 64MiB or 1GiB, at least 1KiB \(got ".*" from env BOOTSYNC_MAX\)$/,
    );
  });

  it('shows a default in its largest whole unit', () => {
    expect([64 * 2 ** 20, 2 ** 30, 1536, 1000].map((b) => sizes.max.format?.(b))).toEqual(['64MiB', '1GiB', '1536', '1000']);
  });
});

describe('configuration errors name the key and where the value came from', () => {
  it.each([
    { name: 'bad flag', inputs: { flags: { retention: 'x' } }, key: '--retention', where: 'flag --retention' },
    { name: 'bad env', inputs: { env: { BOOTSYNC_REDIS_URL: 'http://x' } }, key: '--redis-url', where: 'env BOOTSYNC_REDIS_URL' },
    {
      name: 'bad file value',
      inputs: { file: parseConfigFile('# comment\nlisten: nowhere\n', '/etc/r.yaml') },
      key: '--listen',
      where: '/etc/r.yaml:2',
    },
    { name: 'below minimum', inputs: { env: { BOOTSYNC_RETENTION: '0' } }, key: '--retention', where: 'env BOOTSYNC_RETENTION' },
    {
      name: 'unknown file key',
      inputs: { file: parseConfigFile('retention: 2\nredis-ulr: redis://x\n', '/etc/r.yaml') },
      key: 'redis-ulr',
      where: '/etc/r.yaml:2',
    },
  ])('$name', ({ inputs, key, where }) => {
    let caught: unknown;
    try {
      resolveConfig(specs, inputs);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const e = caught as ConfigError;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.key).toBe(key);
    expect(e.message).toContain(key);
    expect(e.message).toContain(where);
  });

  it.each([
    { text: 'retention: [1\n', line: 2 },
    { text: '- a\n- b\n', line: 1 },
  ])('rejects a file that is not a YAML mapping ($text)', ({ text, line }) => {
    expect(() => parseConfigFile(text, '/etc/r.yaml')).toThrow(ConfigFileError);
    try {
      parseConfigFile(text, '/etc/r.yaml');
    } catch (err) {
      expect((err as ConfigFileError).line).toBe(line);
      expect((err as ConfigFileError).message).toMatch(/^\/etc\/r\.yaml:\d+: /);
    }
  });
});

describe('loadConfig reads the file named by --config or BOOTSYNC_CONFIG', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bootsync-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses the flag path before the env path', async () => {
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    await writeFile(a, 'retention: 4\n');
    await writeFile(b, 'retention: 9\n');
    const viaFlag = await loadConfig(specs, { flags: { config: a }, env: { BOOTSYNC_CONFIG: b } });
    expect(viaFlag.values.retention).toBe(4);
    const viaEnv = await loadConfig(specs, { env: { BOOTSYNC_CONFIG: b } });
    expect(viaEnv.values.retention).toBe(9);
    expect(viaEnv.origins.retention).toEqual({ kind: 'file', file: b, line: 1 });
  });

  it('names a missing file', async () => {
    const missing = join(dir, 'missing.yaml');
    await expect(loadConfig(specs, { flags: { config: missing } })).rejects.toThrow(`${missing}: cannot read: ENOENT`);
  });
});
