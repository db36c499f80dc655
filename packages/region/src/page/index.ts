/**
 * The Images page: static HTML, CSS and ES modules (in `assets/`) that drive the MAAS API from the browser.
 * Register `imagesPagePlugin` on the region's app (no prefix); it needs no key, every API call the page makes does.
 */
export { imagesPagePlugin, IMAGES_PAGE_PATHS, PAGE_ASSETS_PATH, type ImagesPageOptions } from './plugin.js';
export { loadPageAssets, PageAssetMissingError, PAGE_ASSET_DIR, type PageAsset } from './assets.js';
