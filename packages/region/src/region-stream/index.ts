/**
 * Published sets → the region stream: every resource's newest complete set, as the simplestreams its racks (and
 * other bootsync regions) read. Served by racks/stream-routes.ts.
 */
export { publishedImages } from './published-images.js';
export {
  buildRegionStream,
  productName,
  PRODUCTS_PATH,
  REGION_CONTENT_ID,
  type PublishedImage,
  type RegionStream,
  type StreamImage,
} from './region-stream.js';
