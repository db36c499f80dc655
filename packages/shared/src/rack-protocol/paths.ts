/** Where a rack registers, under the region's base URL. */
export const REGISTER_PATH = '/MAAS/racks/register';
/** Where the region serves its stream of complete sets, under its base URL (the registration answer repeats it). */
export const STREAM_PATH = '/MAAS/images-stream/';
/** The stream's index, under STREAM_PATH: a rack reads it first and follows its entries to the products. */
export const STREAM_INDEX_PATH = 'streams/v1/index.json';

/** The `Authorization` value a rack presents: the region's secret at registration, its own token after. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}

/** The token of a `Bearer` authorization, or undefined for any other form. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
}
