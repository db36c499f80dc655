import { stringOption } from '../config/index.js';
import { HTTP_CLIENTS, type HttpClientChoice } from './options.js';

/** `--download-client`, the same setting on the region and the rack (DownloaderOptions.httpClient). */
export const downloadClientOption = stringOption({
  description: "HTTP client for plain-http downloads without a proxy: bootsync (1 MiB reads) or undici (the fallback)",
  default: 'bootsync',
  valueName: 'CLIENT',
  validate(value) {
    if (!isHttpClient(value)) throw new Error(`expected one of ${HTTP_CLIENTS.join(', ')}`);
  },
});

export function isHttpClient(value: string): value is HttpClientChoice {
  return (HTTP_CLIENTS as readonly string[]).includes(value);
}
