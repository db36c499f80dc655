import type { FastifyInstance, FastifyReply } from 'fastify';
import { loadPageAssets, PAGE_ASSET_DIR, type PageAsset } from './assets.js';

/** Where users open the page: the region's root and the path MAAS's UI uses for it. */
export const IMAGES_PAGE_PATHS = ['/', '/MAAS/r/images'] as const;

/** The page's CSS and scripts are served under this path. */
export const PAGE_ASSETS_PATH = '/page-assets/';

export interface ImagesPageOptions {
  /** Folder holding the page files. @defaultValue {@link PAGE_ASSET_DIR} */
  readonly assetDir?: string;
}

/**
 * Serves the Images page and its assets, unauthenticated: they hold no data, and every API call the page makes
 * carries the user's key. Files are read once when the plugin registers, so a missing file stops the region early.
 */
export async function imagesPagePlugin(app: FastifyInstance, options: ImagesPageOptions = {}): Promise<void> {
  const assets = loadPageAssets(options.assetDir ?? PAGE_ASSET_DIR);
  const page = assets.get('index.html')!;

  for (const path of IMAGES_PAGE_PATHS) app.get(path, (_request, reply) => send(reply, page));
  app.get<{ Params: { name: string } }>(`${PAGE_ASSETS_PATH}:name`, (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset || asset === page) return reply.code(404).type('text/plain; charset=utf-8').send(`No page asset ${request.params.name}.`);
    return send(reply, asset);
  });
}

/** The page runs only its own files and talks only to its own region: nothing inline, nothing from elsewhere. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

// no-cache: the browser revalidates, so a region upgrade never mixes an old script with a new page.
function send(reply: FastifyReply, asset: PageAsset): FastifyReply {
  return reply
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .type(asset.contentType)
    .send(asset.body);
}
