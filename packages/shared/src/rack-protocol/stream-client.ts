import { createHash } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import { parseIndex, parseProducts, type ProductItem } from '../streams/index.js';
import { RegionRequestError } from './errors.js';
import { STREAM_INDEX_PATH, STREAM_PATH } from './paths.js';

export interface RegionStreamState {
  /** The index's ETag (or its sha256): a snapshot built from the same tag holds the same images. */
  readonly tag: string;
  /** False when the region answered 304: nothing changed since the previous read. */
  readonly changed: boolean;
  readonly items: readonly ProductItem[];
}

export interface RegionStreamClientOptions {
  /** The region's base URL, e.g. `http://10.0.0.2:5240`. */
  readonly regionUrl: string;
  /** The registration answer's `streamPath`. @defaultValue STREAM_PATH */
  readonly streamPath?: string;
  /** Credentials for the stream (the rack's token), re-read on each request as they change at re-registration. */
  readonly headers: () => Readonly<Record<string, string>>;
  readonly dispatcher?: Dispatcher;
}

/**
 * Reads the region's stream with `If-None-Match` on the index, so an unchanged region costs one request.
 * Products files are read only when the index changed.
 */
export class RegionStreamClient {
  readonly root: string;
  #last: RegionStreamState | undefined;

  constructor(private readonly options: RegionStreamClientOptions) {
    this.root = new URL(options.streamPath ?? STREAM_PATH, options.regionUrl).toString();
  }

  async read(signal?: AbortSignal): Promise<RegionStreamState> {
    const indexUrl = new URL(STREAM_INDEX_PATH, this.root).toString();
    const conditional: Record<string, string> = this.#last ? { 'if-none-match': this.#last.tag } : {};
    const index = await this.#get(indexUrl, conditional, signal);
    if (index.status === 304 && this.#last) return (this.#last = { ...this.#last, changed: false });
    const tag = index.etag ?? `"${createHash('sha256').update(index.body).digest('hex')}"`;
    const items: ProductItem[] = [];
    for (const entry of parseIndex(index.body, indexUrl).entries) {
      const productsUrl = new URL(entry.path, this.root).toString();
      const products = await this.#get(productsUrl, {}, signal);
      items.push(...parseProducts(products.body, productsUrl, entry.contentId).items);
    }
    this.#last = { tag, changed: true, items };
    return this.#last;
  }

  /** The URL a stream item's file is fetched from. */
  fileUrl(item: ProductItem): string {
    return new URL(item.path, this.root).toString();
  }

  async #get(url: string, extra: Record<string, string>, signal?: AbortSignal): Promise<{ status: number; etag?: string; body: string }> {
    const response = await request(url, {
      method: 'GET',
      headers: { ...this.options.headers(), ...extra },
      signal,
      ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
    });
    const body = await response.body.text();
    if (response.statusCode !== 304 && (response.statusCode < 200 || response.statusCode >= 300)) {
      throw new RegionRequestError(url, response.statusCode, body.slice(0, 200));
    }
    const etag = response.headers.etag;
    return { status: response.statusCode, ...(typeof etag === 'string' ? { etag } : {}), body };
  }
}
