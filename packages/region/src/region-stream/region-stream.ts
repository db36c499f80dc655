import { createHash } from 'node:crypto';
import {
  buildIndexDocument,
  buildProductsDocument,
  indexEntryFor,
  serializeStreamDocument,
  type StreamProductInput,
} from '@bootsync/shared/streams';
import { STREAM_INDEX_PATH } from '@bootsync/shared/rack-protocol';
import type { BootResource, ResourceSetWithFiles } from '../db/index.js';

export const REGION_CONTENT_ID = 'maas:v2:download';
export const PRODUCTS_PATH = `streams/v1/${REGION_CONTENT_ID}.json`;

/** A resource with its newest complete set: what the region offers its racks. */
export interface PublishedImage {
  readonly resource: BootResource;
  readonly set: ResourceSetWithFiles;
}

export interface StreamImage {
  readonly product: string;
  readonly name: string;
  readonly architecture: string;
  readonly version: string;
  readonly subarches: string;
}

/** The region stream, built in memory: documents with their ETags, the files they list and the images. */
export interface RegionStream {
  readonly documents: ReadonlyMap<string, { readonly body: string; readonly etag: string }>;
  /** Item path (relative to the stream root) → blob. */
  readonly files: ReadonlyMap<string, { readonly sha256: string; readonly size: number }>;
  readonly images: readonly StreamImage[];
}

/** `maas:boot:<os>:<arch>:<subarch>:<release>`, the product name MAAS ≤3.4 gives a resource in its region stream. */
export function productName(resource: Pick<BootResource, 'name' | 'architecture'>): string {
  const [os, release] = resource.name.split('/');
  const [arch, subarch] = resource.architecture.split('/');
  return `maas:boot:${os}:${arch}:${subarch}:${release}`;
}

/**
 * The region's complete sets as valid simplestreams (`index:1.0` + one `products:1.0`), so racks and other
 * bootsync regions read it with the ordinary reader. `updated` is the newest set's update time, so the same
 * sets always give the same bytes and the same ETags (an unchanged region costs a rack one request). Pure.
 */
export function buildRegionStream(images: readonly PublishedImage[]): RegionStream {
  const products: Record<string, StreamProductInput> = {};
  const files = new Map<string, { sha256: string; size: number }>();
  const streamImages: StreamImage[] = [];
  let updated = new Date(0);
  for (const { resource, set } of images) {
    const [os = '', release = ''] = resource.name.split('/');
    const [arch = '', subarch = ''] = resource.architecture.split('/');
    const product = productName(resource);
    const bootloaderType = typeof resource.extra.bootloader_type === 'string' ? resource.extra.bootloader_type : undefined;
    const subarches = typeof resource.extra.subarches === 'string' ? resource.extra.subarches : subarch;
    const items: Record<string, Record<string, string | number>> = {};
    for (const file of set.files) {
      const path = [os, arch, subarch, release, set.version, file.filename].join('/');
      items[file.filename] = { ftype: file.filetype, path, sha256: file.sha256, size: file.size, ...fileExtra(file.extra) };
      files.set(path, { sha256: file.sha256, size: file.size });
    }
    const { kflavor, rolling, title } = resource.extra;
    // MAAS 3.4's SimpleStreamsHandler.get_product_data: `version` is the series, then the resource's extra.
    products[product] = {
      fields: {
        subarch, label: set.label, version: release, arch, release, os, subarches,
        ...(typeof kflavor === 'string' ? { kflavor } : {}),
        ...(bootloaderType !== undefined ? { 'bootloader-type': bootloaderType } : {}),
        ...(rolling === true ? { rolling: true } : {}),
        ...(typeof title === 'string' ? { title } : {}),
        ...productExtra(resource.extra),
      },
      versions: { [set.version]: { items } },
    };
    streamImages.push({ product, name: resource.name, architecture: resource.architecture, version: set.version, subarches });
    if (new Date(set.updated) > updated) updated = new Date(set.updated);
  }
  const productsInput = { contentId: REGION_CONTENT_ID, updated, products };
  const productsBody = serializeStreamDocument(buildProductsDocument(productsInput));
  const indexBody = serializeStreamDocument(buildIndexDocument([indexEntryFor(productsInput, PRODUCTS_PATH)], updated));
  const documents = new Map([
    // The index names products, not versions: its ETag covers the products file too, so a new version shows.
    [STREAM_INDEX_PATH, { body: indexBody, etag: etagOf(indexBody + productsBody) }],
    [PRODUCTS_PATH, { body: productsBody, etag: etagOf(productsBody) }],
  ]);
  return { documents, files, images: streamImages };
}

/** The item fields MAAS keeps of a file (BootResourceFile.extra) and publishes with it. */
const FILE_EXTRA_KEYS: readonly string[] = ['kpackage', 'src_package', 'src_release', 'src_version', 'kparams'];
/** The product fields MAAS keeps in BootResource.extra besides subarches and title. */
const PRODUCT_EXTRA_KEYS: readonly string[] = ['platform', 'supported_platforms'];

function fileExtra(extra: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(FILE_EXTRA_KEYS.flatMap((k) => (typeof extra[k] === 'string' ? [[k, extra[k] as string]] : [])));
}

function productExtra(extra: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(PRODUCT_EXTRA_KEYS.flatMap((k) => (typeof extra[k] === 'string' ? [[k, extra[k] as string]] : [])));
}

function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
}
