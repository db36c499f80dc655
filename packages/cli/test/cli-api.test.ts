import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheRealOffer, sourceProber, startApi, type ApiHarness } from '@bootsync/region/testing';
import { realFixtures } from '@bootsync/testkit/fixtures';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repoRoot, 'packages/cli/bin/bootsync.js');
const realStream = realFixtures.maasStable2025Index;

let api: ApiHarness;
let url: string;
let configDir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real `bootsync` bin (built by tsc -b), with its profiles in `dir`. */
function bootsyncIn(dir: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('node', [bin, ...args], { env: { ...process.env, BOOTSYNC_CONFIG_DIR: dir } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const bootsync = (...args: string[]): Promise<Run> => bootsyncIn(configDir, ...args);

beforeAll(async () => {
  configDir = mkdtempSync(path.join(tmpdir(), 'bootsync-cli-'));
  api = await startApi({ prober: sourceProber });
  const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
  url = `${address}/MAAS/`;
  const login = await bootsync('login', 'region', url, api.apiKey);
  expect(login).toMatchObject({ code: 0, stderr: '' });
});
afterAll(async () => {
  await api.close();
  rmSync(configDir, { recursive: true, force: true });
});

describe('bootsync login', () => {
  it('stores the profile with the API root, mode 0600', () => {
    const file = path.join(configDir, 'profiles.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { profiles: Record<string, { url: string; key: string }> };
    expect(doc.profiles.region).toMatchObject({ url: `${url}api/2.0/`, key: api.apiKey });
  });

  it('refuses a wrong key without storing it', async () => {
    const res = await bootsync('login', 'wrong', url, `${api.key.consumerKey}:${api.key.tokenKey}:nope`);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('rejected the API key');
    expect(readFileSync(path.join(configDir, 'profiles.json'), 'utf8')).not.toContain('"wrong"');
  });

  it('refreshes the stored API description and forgets a profile on logout', async () => {
    const file = path.join(configDir, 'profiles.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { profiles: Record<string, { description: { handlers: unknown[] } }> };
    const stale = { ...doc.profiles.region!, name: 'stale', description: { handlers: [] } };
    writeFileSync(file, JSON.stringify({ profiles: { ...doc.profiles, stale } }));
    expect((await bootsync('stale', 'boot-sources', 'read')).code).not.toBe(0);
    expect(await bootsync('refresh', 'stale')).toMatchObject({ code: 0, stderr: '' });
    expect((await bootsync('stale', 'boot-sources', 'read')).code).toBe(0);
    expect((await bootsync('logout', 'stale')).code).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toContain('"stale"');
    expect((await bootsync('logout', 'stale')).stderr).toContain("no profile named 'stale'");
  });

  it.each([
    ['{', 'is not valid JSON .*'],
    ['null', 'is not a \\{"profiles": \\{\\.\\.\\.\\}\\} document'],
  ])('exits 2 with one line naming a profiles file holding %j', async (text, why) => {
    const broken = mkdtempSync(path.join(tmpdir(), 'bootsync-cli-broken-'));
    try {
      writeFileSync(path.join(broken, 'profiles.json'), text);
      const res = await bootsyncIn(broken, 'refresh');
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(new RegExp(`^bootsync: ${path.join(broken, 'profiles.json')} ${why}; fix or delete it\n$`));
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('refuses a malformed key', async () => {
    const res = await bootsync('login', 'bad', url, 'just-one-part');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('consumer_key:token_key:token_secret');
  });
});

describe('bootsync PROFILE RESOURCE ACTION', () => {
  it('creates and lists boot sources, as JSON and as an aligned table', async () => {
    const created = await bootsync('region', 'boot-sources', 'create', 'url=http://cli.example/images/', 'keyring_filename=/k.gpg');
    expect(created.code).toBe(0);
    const source = JSON.parse(created.stdout) as { id: number; url: string };
    expect(source.url).toBe('http://cli.example/images');

    const table = await bootsync('region', 'boot-sources', 'read', '--table');
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+URL\s+PRIORITY/);
    const row = lines.find((l) => l.includes('http://cli.example/images'))!;
    expect(row.indexOf('http://cli.example/images')).toBe(lines[0]!.indexOf('NAME'));
  });

  it('sends repeated keys, keyring files and positional ids the way maascli does', async () => {
    const keyring = path.join(configDir, 'keyring.gpg');
    writeFileSync(keyring, Buffer.from([0x99, 0x01, 0x0d, 0xff, 0x00]));
    const created = await bootsync('region', 'boot-sources', 'create', 'url=http://keyed.example/', `keyring_data@=${keyring}`);
    const source = JSON.parse(created.stdout) as { id: number; keyring_data: string };
    expect(Buffer.from(source.keyring_data, 'base64')).toEqual(readFileSync(keyring));
    await cacheRealOffer(api.repos, source.id);

    const sel = await bootsync(
      'region', 'boot-source-selections', 'create', String(source.id),
      'os=ubuntu', 'release=noble', 'arches=amd64', 'arches=arm64', 'subarches=*', 'labels=*',
    );
    expect(sel.code).toBe(0);
    expect(JSON.parse(sel.stdout)).toMatchObject({ boot_source_id: source.id, arches: ['amd64', 'arm64'], subarches: ['*'] });

    const read = await bootsync('region', 'boot-source-selections', 'read', String(source.id));
    expect((JSON.parse(read.stdout) as unknown[]).length).toBe(1);

    const deleted = await bootsync('region', 'boot-source', 'delete', String(source.id));
    expect(deleted).toMatchObject({ code: 0, stdout: '' });
  });

  it('fetches what a source offers without saving it (the Images page\'s "Connect")', async () => {
    const res = await bootsync('region', 'boot-sources', 'fetch', `url=${realStream}`, '--table');
    expect(res.code).toBe(0);
    const [url, header, ...rows] = res.stdout.trimEnd().split('\n');
    expect(url).toBe(`url: ${realStream}`);
    expect(header).toMatch(/^KIND\s+OS\s+RELEASE\s+TITLE/);
    expect(rows.some((r) => /^ubuntu\s+ubuntu\s+noble\b/.test(r))).toBe(true);
  });

  it('sets and gets config values', async () => {
    const set = await bootsync('region', 'maas', 'set-config', 'name=boot_images_auto_import', 'value=false');
    expect(set).toMatchObject({ code: 0, stdout: 'OK\n' });
    const get = await bootsync('region', 'maas', 'get-config', 'name=boot_images_auto_import');
    expect(JSON.parse(get.stdout)).toBe(false);
  });

  it("exits non-zero with the server's message", async () => {
    const missing = await bootsync('region', 'boot-source', 'read', '424242');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('404: No BootSource matches the given query.');
    const form = await bootsync('region', 'boot-sources', 'create', 'url=http://nokey.example/');
    expect(form.code).toBe(1);
    expect(form.stderr).toContain('One of keyring_data or keyring_filename must be specified.');
    const usage = await bootsync('region', 'boot-sources', 'create', 'not-a-key-value');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("'not-a-key-value' is not a key=value");
  });

  it('refuses an import --wait poll interval that is not a positive number of seconds, before asking the region', async () => {
    for (const interval of ['0', 'soon']) {
      const res = await bootsync('region', 'boot-resources', 'import', '--wait', '--poll-interval', interval);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`--poll-interval takes a number of seconds > 0, not '${interval}'`);
      expect(res.stdout).toBe('');
    }
  });
});
