/**
 * The one address of a stream item, as simplestreams' "pedigree": (content_id, product, version, item).
 * Used in logs, database keys and job ids.
 */
export interface ItemRef {
  readonly contentId: string;
  readonly product: string;
  readonly version: string;
  readonly item: string;
}

/** `content_id/product/version/item`, for people (logs, error messages). */
export function formatItemRef(ref: ItemRef): string {
  return `${ref.contentId}/${ref.product}/${ref.version}/${ref.item}`;
}

/**
 * A form of the ref safe as a BullMQ job id or a file name: BullMQ refuses `:` in ids and file systems refuse `/`.
 * Percent-encoding keeps it reversible and readable.
 */
export function encodeItemRef(ref: ItemRef): string {
  return [ref.contentId, ref.product, ref.version, ref.item].map(encodeSegment).join('~');
}

export function decodeItemRef(encoded: string): ItemRef {
  const parts = encoded.split('~');
  if (parts.length !== 4) throw new TypeError(`not an encoded item ref: ${encoded}`);
  const [contentId, product, version, item] = parts.map((p) => decodeURIComponent(p)) as [string, string, string, string];
  return { contentId, product, version, item };
}

function encodeSegment(s: string): string {
  // encodeURIComponent leaves `~` alone (it is our separator) and `:` is already encoded by it.
  return encodeURIComponent(s).replace(/~/g, '%7E').replace(/\./g, (m, i: number) => (i === 0 ? '%2E' : m));
}
