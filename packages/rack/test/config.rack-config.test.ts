import { describe, expect, it } from 'vitest';
import { resolveRackConfig, validateRackName } from '@bootsync/rack/config';

const required = { 'region-url': 'http://10.0.0.2:5240/', 'secret-file': '/etc/bootsync/secret', name: 'rack-1' };

describe('rack configuration', () => {
  it('applies the documented defaults', () => {
    expect(resolveRackConfig(required, {})).toEqual({
      regionUrl: 'http://10.0.0.2:5240',
      secretFile: '/etc/bootsync/secret',
      name: 'rack-1',
      dataDir: '/var/lib/bootsync/rack',
      listen: { host: '0.0.0.0', port: 5248 },
      redisUrl: 'redis://127.0.0.1:6379',
      snapshotGraceMs: 600_000,
    });
  });

  it('lets flags win over BOOTSYNC_* variables', () => {
    const env = { BOOTSYNC_DATA_DIR: '/srv/rack', BOOTSYNC_LISTEN: '127.0.0.1:6000', BOOTSYNC_NAME: 'from-env' };
    const config = resolveRackConfig({ ...required, listen: '[::1]:7000' }, env);
    expect(config).toMatchObject({ dataDir: '/srv/rack', listen: { host: '::1', port: 7000 }, name: 'rack-1' });
  });

  it.each([
    [{ 'region-url': undefined }, '--region-url'],
    [{ 'region-url': 'ftp://region' }, '--region-url'],
    [{ listen: '0.0.0.0' }, '--listen'],
    [{ 'snapshot-grace': 'ten minutes' }, '--snapshot-grace'],
  ])('refuses %o, naming %s', (over, setting) => {
    expect(() => resolveRackConfig({ ...required, ...over }, {})).toThrow(expect.objectContaining({ code: 'RACK_CONFIG_INVALID', setting }));
  });

  it.each(['rack:1', '', 'a/b', '-lead', 'x'.repeat(64), 'rack 1'])('refuses the rack name %j (BullMQ, paths, URLs)', (name) => {
    expect(() => validateRackName(name)).toThrow(expect.objectContaining({ code: 'RACK_INVALID_NAME', rackName: name }));
  });

  it.each(['rack-1', 'r1.dc2', 'RACK_7'])('accepts the rack name %j', (name) => {
    expect(validateRackName(name)).toBe(name);
  });
});
