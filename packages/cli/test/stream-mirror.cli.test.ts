import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { createSignedMirror, DEFAULT_RELEASES, type GeneratedMirror } from '@bootsync/testkit/mirror';
import { waitFor } from '@bootsync/testkit/wait';
import { BIN, bootsync, contents, filesUnder, parseEvents, spawnBootsync, type MirrorEvent } from './cli-run.js';

// `bootsync stream mirror` through the built bin, from a generated signed stream behind a real HTTP server.
const MiB = 1024 * 1024;
const FILTERS = ['arch=amd64', 'os~^(ubuntu|grub-efi-signed|pxelinux)$', '--max', '1'];
/** What those filters select in the generated stream: amd64 Ubuntu at its newest version, and the bootloaders. */
const SELECTED = /^((jammy|noble)\/amd64\/20250718\/|bootloaders\/)/;

let dir: string;
let upstream: GeneratedMirror;
let server: MisbehavingServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bootsync-mirror-'));
  upstream = await createSignedMirror(path.join(dir, 'upstream'));
  server = await startMisbehavingServer({ root: upstream.root });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const events = (run: { events: MirrorEvent[] }, name: string): MirrorEvent[] => run.events.filter((e) => e.event === name);
const payloadRequests = (from: number): string[] =>
  server.requests.slice(from).map((r) => r.path).filter((p) => !p.startsWith('/streams/v1/'));

async function documentsOf(root: string): Promise<Map<string, Buffer>> {
  const files = (await filesUnder(root)).filter((f) => f.startsWith('streams/v1/'));
  return contents(root, files);
}

describe('bootsync stream mirror', () => {
  const out = (): string => path.join(dir, 'out');
  const mirrorArgs = (): string[] => ['stream', 'mirror', `${server.url}/`, out(), '--keyring', upstream.keyring.binary, ...FILTERS];

  it('copies the selected items verified and every document byte for byte; the copy verifies with the source keyring', async () => {
    const run = await bootsync(mirrorArgs());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const selected = upstream.files.filter((f) => SELECTED.test(f.path));
    const documents = await documentsOf(upstream.root);
    expect(selected.length).toBe(15);
    expect(await filesUnder(out())).toEqual([...selected.map((f) => f.path), ...documents.keys()].sort());
    for (const file of selected) expect((await readFile(path.join(out(), file.path))).equals(await readFile(path.join(upstream.root, file.path)))).toBe(true);
    expect(await documentsOf(out())).toEqual(documents);

    expect(events(run, 'mirror.file.stored')).toHaveLength(15);
    expect(events(run, 'mirror.finished')).toEqual([expect.objectContaining({ files: 15, bytes: selected.reduce((s, f) => s + f.size, 0), documents: 12 })]);
    const verify = await bootsync(['stream', 'verify', path.join(out(), 'streams/v1/index.sjson'), '--keyring', upstream.keyring.binary]);
    expect(verify.code).toBe(0);
    const query = await bootsync(['stream', 'query', out(), '--keyring', upstream.keyring.binary, 'arch=amd64', 'os=ubuntu', '--max', '1', '--json']);
    const urls = (JSON.parse(query.stdout) as { item_url: string }[]).map((r) => r.item_url);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect((await stat(url)).isFile()).toBe(true);
  });

  it('fetches only the documents on a second run with nothing new, and writes nothing', async () => {
    const before = server.requests.length;
    const run = await bootsync(mirrorArgs());
    expect(run.code).toBe(0);
    expect(payloadRequests(before)).toEqual([]);
    expect(events(run, 'mirror.finished')).toEqual([expect.objectContaining({ files: 0, bytes: 0, removed: 0, documents: 0 })]);
    expect(events(run, 'mirror.planned')).toEqual([expect.objectContaining({ fetch: 0, upToDate: 15, remove: 0 })]);
  });

  it('prints what a new version upstream would fetch and remove with --dry-run, and changes nothing', async () => {
    await upstream.addVersion('20250801');
    const documentsBefore = await documentsOf(out());
    const before = server.requests.length;
    const run = await bootsync([...mirrorArgs(), '--dry-run']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    const added = lines.filter((l) => l.startsWith('+'));
    const removed = lines.filter((l) => l.startsWith('-'));
    expect(added).toHaveLength(12);
    expect(added).toContain(`+  16384  noble/amd64/20250801/squashfs`);
    expect(removed).toContain(`-  16384  noble/amd64/20250718/squashfs`);
    expect(removed).toHaveLength(12);
    expect(lines.at(-1)).toBe('fetch 12 files (81.0 KiB), verify 0 already there, remove 12 files (81.0 KiB), 3 up to date; 12 documents');
    expect(payloadRequests(before)).toEqual([]);
    expect(await documentsOf(out())).toEqual(documentsBefore);
  });

  it('takes a new version: new files in place first, then the version beyond --max removed, then the documents', async () => {
    const run = await bootsync(mirrorArgs());
    expect(run.code).toBe(0);
    const order = run.events.map((e) => e.event).filter((e) => /^mirror\.(file\.stored|file\.removed|document\.written)$/.test(e));
    const last = (name: string): number => order.lastIndexOf(name);
    const first = (name: string): number => order.indexOf(name);
    expect(last('mirror.file.stored')).toBeLessThan(first('mirror.file.removed'));
    expect(last('mirror.file.removed')).toBeLessThan(first('mirror.document.written'));
    // Only what changed is rewritten (re-signed, or naming the new version), each products file before the index.
    expect(events(run, 'mirror.document.written').map((e) => e.path)).toEqual([
      'streams/v1/com.ubuntu.maas:stable:1:bootloader-download.sjson',
      'streams/v1/com.ubuntu.maas:stable:1:bootloader-download.json.gpg',
      'streams/v1/com.ubuntu.maas:stable:centos-bases-download.sjson',
      'streams/v1/com.ubuntu.maas:stable:centos-bases-download.json.gpg',
      'streams/v1/com.ubuntu.maas:stable:v3:download.sjson',
      'streams/v1/com.ubuntu.maas:stable:v3:download.json',
      'streams/v1/com.ubuntu.maas:stable:v3:download.json.gpg',
      'streams/v1/index.sjson',
      'streams/v1/index.json.gpg',
    ]);

    const files = await filesUnder(out());
    expect(files.filter((f) => f.includes('/20250718/'))).toEqual([]);
    expect(files.filter((f) => f.includes('/amd64/20250801/'))).toHaveLength(12);
    // The emptied version directories are gone too.
    expect(await readdir(path.join(out(), 'noble/amd64'))).toEqual(['20250801']);
    expect(await documentsOf(out())).toEqual(await documentsOf(upstream.root));
  });

  it('refuses a directory another run is writing (exit 2)', async () => {
    await writeFile(path.join(out(), '.bootsync-mirror/lock'), String(process.pid));
    try {
      const run = await bootsync(mirrorArgs());
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`is being written by another bootsync stream mirror (pid ${process.pid})`);
    } finally {
      await rm(path.join(out(), '.bootsync-mirror/lock'));
    }
  });

  it('refuses a tampered document (exit 1) and leaves the mirror as it was', async () => {
    const before = await contents(out(), await filesUnder(out()));
    const index = path.join(upstream.root, 'streams/v1/index.json');
    const original = await readFile(index, 'utf8');
    // Only the detached-signature form is changed: the mirror verifies every form it copies.
    await writeFile(index, original.replace('"format": "index:1.0"', '"format": "index:1.0", "x": 1'));
    try {
      const run = await bootsync(mirrorArgs());
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('streams/v1/index.json: bad signature');
      expect(events(run, 'mirror.failed')).toHaveLength(1);
      expect(await contents(out(), await filesUnder(out()))).toEqual(before);
    } finally {
      await writeFile(index, original);
    }
    await upstream.tamperSignedContent();
    try {
      const run = await bootsync(mirrorArgs());
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('com.ubuntu.maas:stable:v3:download.sjson: bad signature');
      expect(await contents(out(), await filesUnder(out()))).toEqual(before);
    } finally {
      await upstream.resign();
    }
  });
  it('removes what the filters no longer select, saying that the selection changed', async () => {
    const run = await bootsync(['stream', 'mirror', `${server.url}/`, out(), '--keyring', upstream.keyring.binary, 'arch=amd64', 'release=noble', '--max', '1']);
    expect(run.code).toBe(0);
    expect(events(run, 'mirror.selection.changed')).toEqual([
      expect.objectContaining({ before: { filters: FILTERS.slice(0, 2), max: 1 }, now: { filters: ['arch=amd64', 'release=noble'], max: 1 }, removing: 9 }),
    ]);
    const files = (await filesUnder(out())).filter((f) => !f.startsWith('streams/'));
    expect(files).toEqual(upstream.files.filter((f) => f.path.startsWith('noble/amd64/20250801/')).map((f) => f.path));
  });
});

describe('bootsync stream mirror when things go wrong', () => {
  it('resumes a killed run from its partial file and fetches nothing it had completed', async () => {
    const root = await mkdtemp(path.join(dir, 'killed-'));
    const noble = DEFAULT_RELEASES.filter((r) => r.release === 'noble');
    const source = await createSignedMirror(path.join(root, 'upstream'), { releases: noble, arches: ['amd64'], versions: ['20250718'], bootloaders: false, centos: false, sizes: { squashfs: 6 * MiB } });
    const slow = await startMisbehavingServer({ root: source.root });
    try {
      const squashfs = `/noble/amd64/20250718/squashfs`;
      slow.faults.set(squashfs, { bytesPerSecond: 1 * MiB });
      const target = path.join(root, 'out');
      const args = ['stream', 'mirror', `${slow.url}/`, target, '--keyring', source.keyring.binary];
      const first = spawnBootsync(args);
      const partialBytes = async (): Promise<number> => {
        const partials = path.join(target, '.bootsync-mirror/store/partial');
        const names = (await readdir(partials).catch(() => [] as string[])).filter((n) => n.endsWith('.part'));
        const sizes = await Promise.all(names.map((n) => stat(path.join(partials, n)).then((s) => s.size, () => 0)));
        return sizes.reduce((a, b) => a + b, 0);
      };
      await waitFor('the small files in place and part of the squashfs received', async () => {
        const stored = parseEvents(first.stdout()).filter((e) => e.event === 'mirror.file.stored').length;
        return stored === 5 && (await partialBytes()) > 512 * 1024;
      });
      first.child.kill('SIGKILL');
      await first.exited;
      const kept = await partialBytes();
      // Killed: no file at the squashfs' path, and no index naming files that are not all there.
      expect(await filesUnder(target)).toEqual(source.files.filter((f) => !f.path.endsWith('/squashfs')).map((f) => f.path).sort());

      slow.faults.clear(squashfs);
      const before = slow.requests.length;
      const second = await bootsync(args);
      expect(second.code).toBe(0);
      const payloads = slow.requests.slice(before).filter((r) => !r.path.startsWith('/streams/v1/'));
      expect(payloads.map((r) => [r.path, r.range])).toEqual([[squashfs, `bytes=${kept}-`]]);
      expect(events(second, 'mirror.file.stored')).toEqual([expect.objectContaining({ path: squashfs.slice(1), resumedFrom: kept })]);
      expect(await filesUnder(target)).toEqual([...source.files.map((f) => f.path), ...(await documentsOf(source.root)).keys()].sort());
      expect(await readdir(path.join(target, '.bootsync-mirror/store/partial'))).toEqual([]);
    } finally {
      await slow.close();
    }
  });

  it('puts nothing at the path of a file that does not match its checksum, writes no document, exits 1', async () => {
    const target = path.join(dir, 'corrupt');
    const bad = upstream.files.find((f) => f.path.startsWith('noble/amd64/') && f.path.endsWith('/boot-kernel'))!;
    server.faults.set(`/${bad.path}`, { corrupt: true });
    try {
      const run = await bootsync(['stream', 'mirror', `${server.url}/`, target, '--keyring', upstream.keyring.binary, 'arch=amd64', 'release=noble']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`could not be mirrored into ${target}`);
      expect(run.stderr).toContain(bad.path);
      expect(events(run, 'mirror.file.failed')).toEqual([expect.objectContaining({ path: bad.path })]);
      const files = await filesUnder(target);
      expect(files).not.toContain(bad.path);
      expect(files.filter((f) => f.startsWith('streams/'))).toEqual([]);
      expect(files.length).toBeGreaterThan(0);
    } finally {
      server.faults.clear();
    }
  });

  it('verifies the copies already in a directory (an earlier sstream-mirror) instead of fetching them, and fetches a bad one', async () => {
    const target = path.join(dir, 'adopted');
    const selected = upstream.files.filter((f) => f.path.startsWith('noble/amd64/20250801/'));
    for (const f of selected) {
      await mkdir(path.dirname(path.join(target, f.path)), { recursive: true });
      await cp(path.join(upstream.root, f.path), path.join(target, f.path));
    }
    const spoiled = selected.find((f) => f.path.endsWith('/squashfs'))!;
    const bytes = await readFile(path.join(target, spoiled.path));
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    await writeFile(path.join(target, spoiled.path), bytes);
    const before = server.requests.length;
    const run = await bootsync(['stream', 'mirror', `${server.url}/`, target, '--keyring', upstream.keyring.binary, 'arch=amd64', 'release=noble', '--max', '1']);
    expect(run.code).toBe(0);
    expect(payloadRequests(before)).toEqual([`/${spoiled.path}`]);
    expect(events(run, 'mirror.file.verified')).toHaveLength(selected.length - 1);
    expect((await readFile(path.join(target, spoiled.path))).equals(await readFile(path.join(upstream.root, spoiled.path)))).toBe(true);
  });

  it('draws a progress bar with bytes, rate and ETA on a terminal', async () => {
    const target = path.join(dir, 'tty');
    const command = [process.execPath, BIN, 'stream', 'mirror', `${server.url}/`, target, '--keyring', upstream.keyring.binary, 'release=jammy']
      .map((a) => `'${a}'`)
      .join(' ');
    // script(1) gives the command a pseudo-terminal, as an operator's shell would.
    const output = await new Promise<string>((resolve, reject) =>
      execFile('script', ['-qfec', command, '/dev/null'], (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    expect(output).not.toContain('{"level"');
    expect(output).toMatch(/\r\x1b\[K\[#+\] 100% {2}[\d.]+ KiB \/ [\d.]+ KiB {2}[\d.]+ [KMG]?i?B\/s {2}ETA 0:00 {2}\d+\/\d+ files/);
    expect(output).toMatch(/Mirror up to date in [\d.]+ s: \d+ files fetched \([\d.]+ KiB\), 0 removed, 12 documents written\r?\n/);
  });

  it('exits 2 when the source cannot be reached, and 2 on a bad filter', async () => {
    const unreachable = await bootsync(['stream', 'mirror', 'http://127.0.0.1:9/', path.join(dir, 'none'), '--keyring', upstream.keyring.binary]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain('cannot read http://127.0.0.1:9/streams/v1/index.sjson');
    const filter = await bootsync(['stream', 'mirror', `${server.url}/`, path.join(dir, 'none'), '--keyring', upstream.keyring.binary, 'arch']);
    expect(filter.code).toBe(2);
    expect(filter.stderr).toContain('bad filter "arch"');
  });
});
