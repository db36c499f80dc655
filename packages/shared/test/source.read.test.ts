import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyringError, loadKeyring, SignatureMissingError, type Keyring } from '@bootsync/shared/signing';
import { locate, MirrorLocationError, MirrorReadError, parseMirrorLocation, readLocation } from '@bootsync/shared/source';
import { readMirror } from '@bootsync/shared/streams';
import { createSignedMirror, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { realFixtures } from '@bootsync/testkit/fixtures';

let dir: string;
let mirror: GeneratedMirror;
let keyring: Keyring;
let server: Server;
let base: string;
const requests: { url: string; authorization?: string }[] = [];

/** A plain static file server over the generated mirror; `/private/` needs a bearer token, `/broken` answers 500. */
function serve(root: string): Server {
  return createServer((req, res) => {
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const url = req.url ?? '/';
    if (url.startsWith('/broken')) return void res.writeHead(500).end('oops');
    if (url.startsWith('/moved/')) return void res.writeHead(302, { location: url.slice('/moved'.length) }).end();
    const isPrivate = url.startsWith('/private/');
    if (isPrivate && req.headers.authorization !== 'Bearer rack-secret') return void res.writeHead(401).end();
    const rel = url.slice(isPrivate ? '/private/'.length : 1).split('/').map(decodeURIComponent);
    readFile(path.join(root, ...rel)).then(
      (body) => res.writeHead(200).end(body),
      () => res.writeHead(404).end('not found'),
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bootsync-source-'));
  mirror = await createSignedMirror(dir, { arches: ['amd64'], versions: ['20250618'] });
  keyring = await loadKeyring({ file: mirror.keyring.binary });
  server = serve(mirror.root);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('reading a mirror from its three kinds of location', () => {
  it('over http://, verifying index.sjson and every products .sjson, colons kept in the request paths', async () => {
    requests.length = 0;
    const read = await readMirror(`${base}/`, { verify: true, keyring });
    expect(read.indexLocation).toBe(`${base}/streams/v1/index.sjson`);
    expect(read.items).toHaveLength(mirror.items.length);
    expect(requests.map((r) => r.url)).toEqual([
      '/streams/v1/index.sjson',
      '/streams/v1/com.ubuntu.maas:stable:1:bootloader-download.sjson',
      '/streams/v1/com.ubuntu.maas:stable:centos-bases-download.sjson',
      '/streams/v1/com.ubuntu.maas:stable:v3:download.sjson',
    ]);
    const kernel = read.items.find((i) => i.ftype === 'boot-kernel')!;
    expect(locate(read.root, kernel.path)).toBe(`${base}/${kernel.path}`);
  });

  it('sends the caller headers, so a rack can authenticate to its region', async () => {
    await expect(readMirror(`${base}/private/`, { verify: true, keyring })).rejects.toMatchObject({ code: 'SS_ERR_READ', status: 401 });
    const read = await readMirror(`${base}/private/streams/v1/index.sjson`, {
      verify: true,
      keyring,
      headers: { authorization: 'Bearer rack-secret' },
    });
    expect(read.items).toHaveLength(mirror.items.length);
  });

  it('follows redirects', async () => {
    const read = await readMirror(`${base}/moved/streams/v1/index.sjson`, { verify: true, keyring });
    expect(read.catalogs).toHaveLength(3);
  });

  it('from a file:// URL, item locations staying file:// URLs', async () => {
    const url = pathToFileURL(mirror.root).href;
    const read = await readMirror(url, { verify: true, keyring });
    expect(read.indexLocation).toBe(`${url}/streams/v1/index.sjson`);
    expect(locate(read.root, 'noble/amd64/20250618/squashfs')).toBe(`${url}/noble/amd64/20250618/squashfs`);
  });

  it('from a plain path, through the detached .json.gpg when the index given is .json', async () => {
    const read = await readMirror(path.join(mirror.root, 'streams/v1/index.json'), { verify: true, keyring });
    expect(read.root).toEqual({ kind: 'path', dir: mirror.root });
    expect(read.catalogs.map((c) => c.items.length)).toEqual([3, 2, 16]);
    expect(locate(read.root, 'noble/amd64/20250618/squashfs')).toBe(path.join(mirror.root, 'noble/amd64/20250618/squashfs'));
  });
});

describe('signature policy', () => {
  it('with verification off still reads only the signed text of a .sjson', async () => {
    const index = path.join(mirror.root, 'streams/v1/index.sjson');
    const original = await readFile(index, 'utf8');
    try {
      await writeFile(index, `${original}{"garbage after the signature": true}\n`);
      const read = await readMirror(mirror.root, { verify: false });
      expect(read.indexLocation).toBe(index);
      expect(read.items).toHaveLength(mirror.items.length);
    } finally {
      await writeFile(index, original);
    }
  });

  it('refuses to verify without a keyring', async () => {
    await expect(readMirror(mirror.root, { verify: true })).rejects.toBeInstanceOf(KeyringError);
  });
});

describe('read failures', () => {
  it('says which URL failed and how', async () => {
    const notFound = await readLocation(`${base}/nothing.json`).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(MirrorReadError);
    expect(notFound).toMatchObject({ location: `${base}/nothing.json`, status: 404, notFound: true });
    await expect(readLocation(`${base}/broken`)).rejects.toMatchObject({ status: 500, notFound: false, message: `cannot read ${base}/broken: HTTP 500` });
    await expect(readLocation('http://127.0.0.1:1/x')).rejects.toBeInstanceOf(MirrorReadError);
    await expect(readLocation(path.join(dir, 'absent'))).rejects.toMatchObject({ notFound: true });
  });

  it('does not fall back to an unsigned index when verifying', async () => {
    const unsignedOnly = realFixtures.maasStable2025;
    await expect(readMirror(unsignedOnly, { verify: true, keyring })).rejects.toMatchObject({ code: 'SS_ERR_READ', notFound: true });
    await expect(readMirror(path.join(unsignedOnly, 'streams/v1/index.json'), { verify: true, keyring })).rejects.toBeInstanceOf(SignatureMissingError);
  });
});

describe('mirror locations', () => {
  it('splits a location at streams/v1/X.(s)json, else takes it as the root', () => {
    expect(parseMirrorLocation('http://images.maas.io/ephemeral-v3/stable/')).toEqual({ root: { kind: 'url', url: 'http://images.maas.io/ephemeral-v3/stable/' } });
    expect(parseMirrorLocation('http://images.maas.io/ephemeral-v3/stable')).toEqual({ root: { kind: 'url', url: 'http://images.maas.io/ephemeral-v3/stable/' } });
    expect(parseMirrorLocation('https://r.example/images-stream/streams/v1/index.json')).toEqual({
      root: { kind: 'url', url: 'https://r.example/images-stream/' },
      indexPath: 'streams/v1/index.json',
    });
    expect(parseMirrorLocation('/srv/mirror/streams/v1/com.ubuntu.maas:stable:v3:download.sjson')).toEqual({
      root: { kind: 'path', dir: '/srv/mirror' },
      indexPath: 'streams/v1/com.ubuntu.maas:stable:v3:download.sjson',
    });
    expect(() => parseMirrorLocation('ftp://mirror/')).toThrow(MirrorLocationError);
    expect(() => parseMirrorLocation('http://h/m/streams/v1/%E0.sjson')).toThrow(
      expect.objectContaining({ code: 'SS_ERR_LOCATION', message: expect.stringContaining('bad percent-encoding in streams/v1/%E0.sjson') }),
    );
  });

  it('joins segment by segment, so colons never read as a scheme, and refuses a way out', () => {
    const root = { kind: 'url', url: 'http://h/m/' } as const;
    expect(locate(root, 'streams/v1/com.ubuntu.maas:stable:v3:download.json')).toBe('http://h/m/streams/v1/com.ubuntu.maas:stable:v3:download.json');
    expect(locate(root, 'a b/c#d?e')).toBe('http://h/m/a%20b/c%23d%3Fe');
    expect(() => locate(root, '../x')).toThrow(MirrorLocationError);
    expect(() => locate({ kind: 'path', dir: '/m' }, '/etc/passwd')).toThrow(MirrorLocationError);
  });
});
