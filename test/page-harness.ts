import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createLogger } from '@bootsync/shared/logging';
import { startMisbehavingServer, type MisbehavingServer } from '@bootsync/testkit/http';
import { createSignedMirror, type GeneratedMirror, type MirrorSpec } from '@bootsync/testkit/mirror';
import { freePort } from '@bootsync/testkit/net';
import { testRedisUrl } from '@bootsync/testkit/redis';
import { formatApiKey } from '@bootsync/region/db';
import { resolveRackConfig } from '@bootsync/rack/config';
import { startRackDaemon, type RackDaemon } from '@bootsync/rack/daemon';
import { oauthHeader, openRegionState } from '@bootsync/region/testing';
import { REGION_BIN, deleteRegionKeys, runBootsync, startBin, type CliRun } from './daemon-bins.js';

export { repoRoot } from './daemon-bins.js';

const execFileAsync = promisify(execFile);

/** Debian's chromium, driven by playwright-core: never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface PageWorld {
  readonly dir: string;
  /** `http://127.0.0.1:PORT` of the region. */
  readonly regionUrl: string;
  /** The region's admin key, `consumer:token:secret`. */
  readonly apiKey: string;
  readonly mirror: GeneratedMirror;
  /** Serves the mirror: `${upstream.url}/` is its URL. */
  readonly upstream: MisbehavingServer;
  /** The URL of the region's first source, where nothing listens. */
  readonly unreachableUrl: string;
  readonly rackName: string;
  /** The region's secret, which a rack presents to register. */
  readonly secretFile: string;
  /** A signed API call as the maas CLI makes it (fields urlencoded); the parsed JSON or text answer. */
  api(method: 'GET' | 'POST', path: string, fields?: Record<string, string>): Promise<unknown>;
  /** PUTs `bytes` to an upload_uri of `boot-resources create` (one chunk, application/octet-stream), as the maas CLI does. */
  putChunk(uploadUri: string, bytes: Buffer): Promise<void>;
  /** The real `bootsync` bin, logged in to the region as the admin (`bootsync login admin` on first use). */
  bootsync(...args: string[]): Promise<CliRun>;
  /** The key `bootsync-region apikey --user NAME` prints (the real bin, on the running region's data dir). */
  userKey(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A region as users run it (the bin, a data dir, Redis, SQLite), whose first boot source points where nothing
 * listens, with hourly import off so nothing runs until the page asks; a signed mirror served on 127.0.0.1; and
 * one rack daemon registered with the region.
 */
export async function startPageWorld(spec: MirrorSpec): Promise<PageWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'bootsync-page-'));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) await c();
  };
  try {
    const mirror = await createSignedMirror(join(dir, 'upstream'), spec);
    const upstream = await startMisbehavingServer({ root: mirror.root });
    cleanups.push(() => upstream.close());

    const regionDir = join(dir, 'region');
    const { identity, repositories: repos } = await openRegionState({ dataDir: regionDir, databaseUrl: undefined });
    const db = repos.db;
    await repos.config.set('boot_images_auto_import', false);
    const key = await repos.apiKeys.ensureAdmin();
    await db.close();
    cleanups.push(() => deleteRegionKeys(regionDir));

    const unreachableUrl = `http://127.0.0.1:${await freePort()}/ephemeral-v3/stable/`;
    const region = await startBin(
      REGION_BIN,
      ['--listen', '127.0.0.1:0', '--redis-url', testRedisUrl, '--default-source-url', unreachableUrl, '--default-keyring', mirror.keyring.binary],
      'region.started',
      { BOOTSYNC_DATA_DIR: regionDir },
    );
    cleanups.push(() => region.stop());
    const regionUrl = region.url;

    const rackName = 'rack-1';
    const rackDir = join(dir, rackName);
    const rack: RackDaemon = await startRackDaemon(
      resolveRackConfig({ 'region-url': regionUrl, 'secret-file': identity.paths.secret, name: rackName, 'data-dir': rackDir, listen: '127.0.0.1:0', 'redis-url': testRedisUrl }),
      createLogger('bootsync-rack-test', { level: 'silent' }),
    );
    cleanups.push(() => rack.stop());

    const api = async (method: 'GET' | 'POST', path: string, fields: Record<string, string> = {}): Promise<unknown> => {
      const [route, op] = path.split('?') as [string, string?];
      const query = new URLSearchParams(op);
      if (method === 'GET') for (const [k, v] of Object.entries(fields)) query.append(k, v);
      const res = await fetch(`${regionUrl}/MAAS/api/2.0/${route}?${query}`, {
        method,
        headers: { authorization: oauthHeader(key) },
        ...(method === 'POST' && { body: new URLSearchParams(fields) }),
      });
      const body = (res.headers.get('content-type') ?? '').startsWith('application/json') ? await res.json() : await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
      return body;
    };

    const putChunk = async (uploadUri: string, bytes: Buffer): Promise<void> => {
      const res = await fetch(`${regionUrl}${uploadUri}`, {
        method: 'PUT',
        headers: { authorization: oauthHeader(key), 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      if (!res.ok) throw new Error(`PUT ${uploadUri}: HTTP ${res.status} ${await res.text()}`);
    };

    const configDir = join(dir, 'cli-config');
    let loggedIn: Promise<CliRun> | undefined;
    const bootsync = async (...args: string[]): Promise<CliRun> => {
      loggedIn ??= runBootsync(configDir, ['login', 'admin', `${regionUrl}/MAAS/`, formatApiKey(key)]);
      const login = await loggedIn;
      if (login.code !== 0) throw new Error(`bootsync login failed: ${login.stderr}`);
      return runBootsync(configDir, args);
    };

    const userKey = async (name: string): Promise<string> => {
      const { stdout } = await execFileAsync(process.execPath, [REGION_BIN, 'apikey', '--user', name, '--data-dir', regionDir]);
      return stdout.trim();
    };

    return {
      dir, regionUrl, apiKey: formatApiKey(key), mirror, upstream, unreachableUrl, rackName, secretFile: identity.paths.secret,
      api, putChunk, bootsync, userKey, close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The armored public key of the mirror, as a user pastes it into "Keyring data". */
export function armoredKeyring(mirror: GeneratedMirror): Promise<string> {
  return readFile(mirror.keyring.armored, 'utf8');
}

/**
 * Where the elements `selector` finds end on the right, and their text, measured in one turn of the page: it
 * replaces the tables' rows at each poll (a second), so a row found by one call may be gone by the next.
 */
export async function rightEdges(page: Page, selector: string): Promise<{ right: number; text: string }[]> {
  return page.evaluate<{ right: number; text: string }[]>(
    `[...document.querySelectorAll(${JSON.stringify(selector)})].map((e) => ({ right: e.getBoundingClientRect().right, text: e.innerText }))`,
  );
}
