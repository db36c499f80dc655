import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigFile, resolveConfig } from '@bootsync/shared/config';
import { advertisedUrl, regionOptions } from '@bootsync/region/config';

describe('region options', () => {
  it('defaults to what the issue specifies', () => {
    expect(resolveConfig(regionOptions, {}).values).toMatchObject({
      dataDir: '/var/lib/bootsync/region',
      listen: { host: '0.0.0.0', port: 5240 },
      redisUrl: 'redis://127.0.0.1:6379',
      importSchedule: undefined,
      retention: 1,
      defaultSourceUrl: 'http://images.maas.io/ephemeral-v3/stable/',
      defaultKeyring: '/usr/share/keyrings/ubuntu-cloudimage-keyring.gpg',
      config: undefined,
      scrubInterval: 24 * 3_600_000,
    });
  });

  it('--scrub-interval takes a duration from a flag, BOOTSYNC_SCRUB_INTERVAL or scrub-interval; 0 disables', () => {
    expect(resolveConfig(regionOptions, { flags: { scrubInterval: '0' } }).values.scrubInterval).toBe(0);
    expect(resolveConfig(regionOptions, { env: { BOOTSYNC_SCRUB_INTERVAL: '12h' } }).values.scrubInterval).toBe(12 * 3_600_000);
    const file = parseConfigFile('scrub-interval: 30m\n', '/etc/bootsync/region.yaml');
    expect(resolveConfig(regionOptions, { file }).values.scrubInterval).toBe(30 * 60_000);
    expect(() => resolveConfig(regionOptions, { env: { BOOTSYNC_SCRUB_INTERVAL: 'daily' } })).toThrow(/--scrub-interval: expected a duration/);
  });

  it('reads every flag from BOOTSYNC_ env variables and the YAML file', () => {
    const file = parseConfigFile('import_schedule: "*/5 * * * *"\nretention: 2\nlisten: 127.0.0.1:8080\n', '/etc/bootsync/region.yaml');
    const { values, origins } = resolveConfig(regionOptions, {
      env: { BOOTSYNC_REDIS_URL: 'redis://redis.internal:6380', BOOTSYNC_RETENTION: '3' },
      file,
    });
    expect(values).toMatchObject({
      redisUrl: 'redis://redis.internal:6380',
      retention: 3,
      importSchedule: '*/5 * * * *',
      listen: { host: '127.0.0.1', port: 8080 },
    });
    expect(origins.importSchedule).toEqual({ kind: 'file', file: '/etc/bootsync/region.yaml', line: 1 });
  });

  it.each([
    { inputs: { env: { BOOTSYNC_IMPORT_SCHEDULE: 'every hour' } }, message: /--import-schedule: expected a cron expression.*env BOOTSYNC_IMPORT_SCHEDULE/ },
    { inputs: { flags: { listen: '5240' } }, message: /--listen: expected HOST:PORT.*flag --listen/ },
    { inputs: { flags: { redisUrl: 'localhost:6379' } }, message: /--redis-url: expected a URL starting with redis:\/\/ or rediss:\/\// },
    { inputs: { file: parseConfigFile('\nretention: 0\n', '/etc/r.yaml') }, message: /--retention: expected a whole number >= 1 \(got 0 from \/etc\/r\.yaml:2\)/ },
  ])('refuses bad values, naming the key and where ($message)', ({ inputs, message }) => {
    expect(() => resolveConfig(regionOptions, inputs)).toThrow(ConfigError);
    expect(() => resolveConfig(regionOptions, inputs)).toThrow(message);
  });

  it('--advertise-url (BOOTSYNC_ADVERTISE_URL, advertise-url) is an http(s) URL; unset, racks are told where the region listens', () => {
    const file = parseConfigFile('advertise-url: https://region-1.example:5240/\n', '/etc/bootsync/region.yaml');
    const given = resolveConfig(regionOptions, { file }).values.advertiseUrl;
    expect(advertisedUrl(given, { host: '0.0.0.0', port: 5240 }, 5240, 'host-1')).toBe('https://region-1.example:5240');
    expect(resolveConfig(regionOptions, { env: { BOOTSYNC_ADVERTISE_URL: 'http://10.0.0.2:5240' } }).values.advertiseUrl).toBe('http://10.0.0.2:5240');
    expect(() => resolveConfig(regionOptions, { flags: { advertiseUrl: '10.0.0.2:5240' } })).toThrow(/--advertise-url: expected an absolute URL/);
    expect(() => resolveConfig(regionOptions, { flags: { advertiseUrl: 'redis://10.0.0.2:5240' } })).toThrow(/expected a URL starting with http:\/\/ or https:\/\//);

    expect(resolveConfig(regionOptions, {}).values.advertiseUrl).toBeUndefined();
    expect(advertisedUrl(undefined, { host: '10.0.0.2', port: 5240 }, 5240, 'host-1')).toBe('http://10.0.0.2:5240');
    // The port the OS chose for port 0; the host name for an address that means every interface.
    expect(advertisedUrl(undefined, { host: '127.0.0.1', port: 0 }, 40123, 'host-1')).toBe('http://127.0.0.1:40123');
    expect(advertisedUrl(undefined, { host: '0.0.0.0', port: 5240 }, 5240, 'host-1')).toBe('http://host-1:5240');
    expect(advertisedUrl(undefined, { host: '::', port: 5240 }, 5240, 'host-1')).toBe('http://host-1:5240');
    expect(advertisedUrl(undefined, { host: 'fd00::2', port: 5240 }, 5240, 'host-1')).toBe('http://[fd00::2]:5240');
  });
});
