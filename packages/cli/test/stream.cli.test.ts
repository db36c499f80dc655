import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { realFixtures } from '@bootsync/testkit/fixtures';
import { bootsync } from './cli-run.js';

const maasStable = realFixtures.maasStable2025;
const signed2016 = realFixtures.cloudImagesSigned2016;

let dir: string;
let mirror: GeneratedMirror;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bootsync-cli-'));
  mirror = await createSignedMirror(dir, { arches: ['amd64'] });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bootsync stream query', () => {
  it('prints the matching items of the real stream as JSON, types kept, with item_url', async () => {
    const run = await bootsync(['stream', 'query', maasStable, '--no-verify', 'os=pxelinux', 'arch=amd64', '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual([
      {
        content_id: 'com.ubuntu.maas:stable:1:bootloader-download',
        datatype: 'image-ids',
        format: 'products:1.0',
        updated: 'Thu, 24 Jul 2025 09:01:42 +0000',
        arch: 'amd64',
        arches: 'amd64, i386',
        'bootloader-type': 'pxe',
        label: 'stable',
        os: 'pxelinux',
        product_name: 'com.ubuntu.maas.stable:1:pxelinux:pxe:amd64',
        version_name: '20230615.0',
        item_name: 'syslinux',
        ftype: 'archive.tar.xz',
        path: 'bootloaders/pxe/amd64/20230615.0/syslinux.tar.xz',
        sha256: '7475e75e559366a484fc910b797fbddd616e10694c9ca1bea2b070311b17cdf8',
        size: 419944,
        src_package: 'syslinux',
        src_release: 'jammy',
        src_version: '3:6.04~git20190206.bf6db5b4+dfsg1-3ubuntu1',
        item_url: path.join(maasStable, 'bootloaders/pxe/amd64/20230615.0/syslinux.tar.xz'),
      },
    ]);
  });

  it('prints [] when nothing matches', async () => {
    const run = await bootsync(['stream', 'query', maasStable, '--no-verify', 'release~^focal$', '--json']);
    expect(run).toMatchObject({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('prints an aligned table sorted by product, version, item', async () => {
    const run = await bootsync(['stream', 'query', maasStable, '--no-verify', 'release=noble', 'ftype~^boot-']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^PRODUCT +VERSION +ITEM +FTYPE +SIZE +PATH$/);
    expect(lines).toHaveLength(1 + 2 * 2 * 2);
    const column = (header: string) => lines[0]!.indexOf(header);
    for (const line of lines.slice(1)) {
      expect(line.slice(column('VERSION')).startsWith('2025')).toBe(true);
      expect(line.slice(column('PATH')).startsWith('noble/')).toBe(true);
    }
    expect(lines[1]).toMatch(/^com\.ubuntu\.maas\.stable:v3:boot:24\.04:amd64:ga-24\.04 +20250618 +boot-initrd +boot-initrd +\d+ +noble\/amd64\/20250618\/ga-24\.04\/generic\/boot-initrd$/);
  });

  it('verifies a generated signed mirror with --keyring, item_url as file:// URLs', async () => {
    const url = pathToFileURL(mirror.root).href;
    const run = await bootsync(['stream', 'query', url, '--keyring', mirror.keyring.binary, 'ftype=squashfs', '--json']);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as { product_name: string; version_name: string; item_url: string; size: number }[];
    const expected = mirror.items.filter((i) => i.ftype === 'squashfs');
    expect(rows.map((r) => [r.product_name, r.version_name, r.size])).toEqual(expected.map((i) => [i.ref.product, i.ref.version, i.size]));
    expect(rows[0]?.item_url).toBe(`${url}/${expected[0]!.path}`);
  });

  it('--max N keeps the newest N versions of each product, as sstream-query --max', async () => {
    const all = await bootsync(['stream', 'query', mirror.root, '--keyring', mirror.keyring.binary, 'ftype=squashfs', '--json']);
    const newest = await bootsync(['stream', 'query', mirror.root, '--keyring', mirror.keyring.binary, 'ftype=squashfs', '--max', '1', '--json']);
    const versions = (run: { stdout: string }): string[] => (JSON.parse(run.stdout) as { version_name: string }[]).map((r) => r.version_name);
    expect(new Set(versions(all))).toEqual(new Set(['20250615', '20250718']));
    expect(versions(newest)).toEqual(versions(all).filter((v) => v === '20250718'));
    expect(versions(newest).length).toBe(mirror.items.filter((i) => i.ftype === 'squashfs' && i.ref.version === '20250718').length);
  });

  it('-o prints one line per item with Python %-formatting, as sstream-query -o', async () => {
    const run = await bootsync(['stream', 'query', maasStable, '--no-verify', 'os=pxelinux', 'arch=amd64', '-o', '%(version_name)s %(size)10s %(item_url)s']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`20230615.0     419944 ${path.join(maasStable, 'bootloaders/pxe/amd64/20230615.0/syslinux.tar.xz')}\n`);
  });

  it('-o names an item lacking a key on stderr and goes on, as sstream-query does', async () => {
    const run = await bootsync(['stream', 'query', maasStable, '--no-verify', 'os=pxelinux', '--output-format', '%(kflavor)s']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^output format failed\. Missing kflavor\nitem: \{'content_id': 'com\.ubuntu\.maas:stable:1:bootloader-download', /);
  });

  it('--pretty prints each item as Python pprint does, values as strings like sstream-query', async () => {
    const args = ['stream', 'query', maasStable, '--no-verify', 'release=noble', 'arch=amd64', 'ftype=squashfs'];
    const pretty = await bootsync([...args, '--pretty']);
    const rows = (await bootsync([...args, '--json'])).stdout;
    const script = 'import json, pprint, sys\nfor row in json.load(sys.stdin): pprint.pprint({k: v if isinstance(v, str) else str(v) for k, v in row.items()})';
    const python = execFileSync('python3', ['-c', script], { input: rows, encoding: 'utf8' });
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toBe(python);
    expect(pretty.stdout.split('\n').length).toBeGreaterThan(20);
  });

  it.each([
    [['--json', '--pretty']],
    [['--pretty', '-o', '%(path)s']],
    [['--max', '0']],
    [['--max', 'two']],
  ])('exits 2 on output options that cannot go together or a bad --max: %j', async (extra) => {
    const run = await bootsync(['stream', 'query', maasStable, '--no-verify', ...extra]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });

  it('exits 1 with the file named when a signature does not verify', async () => {
    const other = await mkdtemp(path.join(tmpdir(), 'bootsync-cli-'));
    try {
      const tampered = await createSignedMirror(other, { arches: ['amd64'], bootloaders: false, centos: false });
      await tampered.tamperSignedContent();
      const run = await bootsync(['stream', 'query', tampered.root, '--keyring', tampered.keyring.armored]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('com.ubuntu.maas:stable:v3:download.sjson: bad signature');
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('exits 2 when the default keyring is absent, saying what to do', async () => {
    const absent = path.join(dir, 'no-such-keyring.gpg');
    const run = await bootsync(['stream', 'query', mirror.root], { BOOTSYNC_IMAGES_KEYRING: absent });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`no keyring at ${absent}`);
    expect(run.stderr).toContain('--no-verify');
  });

  it.each([
    [['stream', 'query', maasStable, '--no-verify', 'arch'], 'bad filter "arch"'],
    [['stream', 'query', maasStable, '--no-verify', '--keyring', 'k.gpg'], '--keyring and --no-verify exclude each other'],
    [['stream', 'query', maasStable, '--bogus'], "unknown option '--bogus'"],
    [['stream', 'query', path.join(tmpdir(), 'bootsync-no-such-mirror'), '--no-verify'], 'cannot read'],
  ])('exits 2 on a usage or environment error: %j', async (args, message) => {
    const run = await bootsync(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe('bootsync stream verify', () => {
  it('accepts the real Canonical-signed index with the key beside it', async () => {
    const run = await bootsync(['stream', 'verify', path.join(signed2016, 'index.sjson'), '--keyring', path.join(signed2016, 'cloud-images-476CF100.gpg')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('good clearsigned signature by 7FF3F408476CF100');
  });

  it("verifies it with the Ubuntu keyring's path where the package is absent (Debian): bootsync's copy of that key", async () => {
    for (const keyring of [['--keyring', '/usr/share/keyrings/ubuntu-cloudimage-keyring.gpg'], []]) {
      const run = await bootsync(['stream', 'verify', path.join(signed2016, 'index.sjson'), ...keyring], { BOOTSYNC_IMAGES_KEYRING: '' });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('good clearsigned signature by 7FF3F408476CF100');
    }
  });

  it('refuses a changed copy of it, and it with another key (exit 1)', async () => {
    const copy = path.join(dir, 'index.sjson');
    const text = await readFile(path.join(signed2016, 'index.sjson'), 'utf8');
    await writeFile(copy, text.replace('"format": "index:1.0"', '"format": "index:1.1"'));
    const changed = await bootsync(['stream', 'verify', copy, '--keyring', path.join(signed2016, 'cloud-images-476CF100.pub.asc')]);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain(`${copy}: bad signature by 7FF3F408476CF100`);
    const otherKey = await bootsync(['stream', 'verify', path.join(signed2016, 'index.sjson'), '--keyring', mirror.keyring.binary]);
    expect(otherKey.code).toBe(1);
    expect(otherKey.stderr).toContain('signed by 7FF3F408476CF100, which is not in the keyring');
  });

  it('checks a .json with its detached .json.gpg, and refuses one without', async () => {
    const json = path.join(mirror.root, 'streams/v1/index.json');
    const good = await bootsync(['stream', 'verify', json, '--keyring', mirror.keyring.binary]);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain(`good detached signature by ${mirror.keyId} (index:1.0, 3 entries)`);
    const lonely = path.join(dir, 'lonely.json');
    await copyFile(json, lonely);
    const missing = await bootsync(['stream', 'verify', lonely, '--keyring', mirror.keyring.binary]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${lonely}: no signature`);
  });
});

describe('bootsync stream --max-document-size', () => {
  it('refuses an index or products document over the limit, naming it, the size and the limit (exit 1)', async () => {
    const index = path.join(mirror.root, 'streams/v1/index.sjson');
    const size = (await readFile(index)).length;
    const query = await bootsync(['stream', 'query', mirror.root, '--keyring', mirror.keyring.binary, '--max-document-size', '1KiB']);
    expect(query.code).toBe(1);
    expect(query.stderr).toBe(`bootsync: ${index}: document is ${size} bytes, over the limit of 1024 bytes (--max-document-size); refused unread. Raise the limit only if this mirror is trusted to publish documents that large\n`);
    const verify = await bootsync(['stream', 'verify', index, '--keyring', mirror.keyring.binary, '--max-document-size', '1024']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain(`document is ${size} bytes, over the limit of 1024 bytes`);
    const enough = await bootsync(['stream', 'verify', index, '--keyring', mirror.keyring.binary, '--max-document-size', '1MiB']);
    expect(enough.code).toBe(0);
  });

  it('takes sizes as the region does, and refuses a bad one as a usage error (exit 2)', async () => {
    const run = await bootsync(['stream', 'query', mirror.root, '--no-verify', '--max-document-size', '64 megabytes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--max-document-size: expected a size such as 67108864, 512KiB, 64MiB or 1GiB, at least 1KiB');
  });
});
