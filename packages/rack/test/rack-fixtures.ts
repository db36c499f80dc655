import { Readable } from 'node:stream';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RegionRoster } from '@bootsync/shared/rack-protocol';
import type { ProductItem } from '@bootsync/shared/streams';
import { ContentStore } from '@bootsync/shared/store';
import { capturingLogger, type LogLine } from '@bootsync/testkit/logs';
import { RegionLink } from '@bootsync/rack/regions';

const run = promisify(execFile);

/** A temp dir of the test's own, removed by `cleanup`. */
export async function tempDir(label: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `bootsync-${label}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function sha256Of(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A region-stream item of an Ubuntu boot image, with the fields the v3 stream carries. */
export function bootItem(item: string, content: string, over: Record<string, string> = {}, version = '20250618'): ProductItem {
  const fields = { os: 'ubuntu', arch: 'amd64', subarch: 'ga-24.04', kflavor: 'generic', release: 'noble', label: 'stable', ...over };
  const product = `com.ubuntu.maas.stable:v3:boot:24.04:${fields.arch}:${fields.subarch}`;
  return {
    ref: { contentId: 'com.ubuntu.maas:stable:v3:download', product, version, item },
    fields: { ...fields, ftype: item, item_name: item },
    ftype: item === 'manifest' ? 'manifest' : item,
    path: `${fields.release}/${fields.arch}/${version}/${item}`,
    size: Buffer.byteLength(content),
    checksums: { sha256: sha256Of(content) },
  };
}

/** A bootloader archive item, as the stream lists grub2-signed under `bootloader-type` uefi. */
export function bootloaderItem(item: string, archive: Buffer, type = 'uefi', arch = 'amd64', version = '20231004.0'): ProductItem {
  return {
    ref: { contentId: 'com.ubuntu.maas:stable:1:bootloader-download', product: `com.ubuntu.maas.stable:1:grub-efi-signed:${type}:${arch}`, version, item },
    fields: { os: 'grub-efi-signed', arch, 'bootloader-type': type, label: 'stable' },
    ftype: 'archive.tar.xz',
    path: `bootloaders/${type}/${arch}/${version}/${item}.tar.xz`,
    size: archive.length,
    checksums: { sha256: sha256Of(archive) },
  };
}

/** Puts bytes into a real content store, as the downloader would after verifying them. */
export async function storeBlob(store: ContentStore, data: Buffer | string): Promise<string> {
  const bytes = Buffer.from(data);
  const sha256 = sha256Of(bytes);
  await store.importFrom(Readable.from([bytes]), { checksums: { sha256 }, size: bytes.length });
  return sha256;
}

/** A real `.tar.xz` made by GNU tar from `files` (name → content); `tarArgs` lets a test make a hostile one. */
export async function makeTarXz(workDir: string, files: Record<string, string>, tarArgs: string[] = []): Promise<Buffer> {
  const src = await mkdtemp(join(workDir, 'tar-src-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(src, name, '..'), { recursive: true });
    await writeFile(join(src, name), content);
  }
  const out = join(workDir, `archive-${Date.now()}-${Math.random().toString(36).slice(2)}.tar.xz`);
  await run('tar', ['-cJf', out, '-C', src, ...(tarArgs.length > 0 ? tarArgs : Object.keys(files))]);
  return readFile(out);
}

/** A RegionLink of rack-1 over `urls` (the stream at each one's root, no credentials), and the moves it logged. */
export function regionLinkTo(urls: readonly string[]): { readonly link: RegionLink; moves(): LogLine[] } {
  const { logger, lines } = capturingLogger('rack');
  const link = new RegionLink({ roster: new RegionRoster(urls), rack: 'rack-1', logger, streamPath: '/', headers: () => ({}) });
  return { link, moves: () => lines.filter((l) => l.event === 'rack.region.changed') };
}
