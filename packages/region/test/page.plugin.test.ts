import { mkdtemp, readFile, rm, unlink, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { imagesPagePlugin, PAGE_ASSET_DIR, PageAssetMissingError } from '@bootsync/region/page';

describe('Images page plugin', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function app(assetDir?: string): Promise<FastifyInstance> {
    const server = Fastify();
    await server.register(imagesPagePlugin, assetDir === undefined ? {} : { assetDir });
    cleanups.push(() => server.close());
    return server;
  }

  it('serves the page at / and /MAAS/r/images without a key, as HTML that loads its script and stylesheet', async () => {
    const server = await app();
    const html = await readFile(join(PAGE_ASSET_DIR, 'index.html'), 'utf8');
    for (const url of ['/', '/MAAS/r/images']) {
      const res = await server.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toBe(html);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    }
    expect(html).toContain('<script type="module" src="/page-assets/main.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/page-assets/images.css">');
  });

  it('serves every module the page imports, with a JavaScript type (browsers refuse modules served otherwise)', async () => {
    const server = await app();
    const pending = ['main.js'];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const res = await server.inject({ method: 'GET', url: `/page-assets/${name}` });
      expect(res.statusCode, name).toBe(200);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      for (const m of res.body.matchAll(/from '\.\/([a-z-]+\.js)'/g)) pending.push(m[1]!);
    }
    expect([...seen].sort()).toEqual(['api.js', 'busy.js', 'choices.js', 'custom-images.js', 'format.js', 'live.js', 'main.js', 'racks.js', 'readonly.js', 'selection.js', 'source.js', 'table.js']);
    const css = await server.inject({ method: 'GET', url: '/page-assets/images.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers 404 for names that are not page assets, including paths that try to leave the folder', async () => {
    const server = await app();
    for (const url of ['/page-assets/nope.js', '/page-assets/..%2f..%2fpackage.json', '/page-assets/%2e%2e%2fassets.ts', '/page-assets/index.html']) {
      const res = await server.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('"name"');
    }
  });

  it('refuses to start when a page file is missing, naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bootsync-page-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await cp(PAGE_ASSET_DIR, dir, { recursive: true });
    await unlink(join(dir, 'live.js'));
    const err = await app(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PageAssetMissingError);
    expect(err).toMatchObject({ code: 'PAGE_ASSET_MISSING', file: join(dir, 'live.js') });
    expect((err as Error).message).toContain(join(dir, 'live.js'));
  });
});
