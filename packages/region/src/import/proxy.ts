import type { RegionConfig } from '../db/types.js';

/** The proxy an import uses, decided per request from the region's config (never from the process env). */
export interface ImportProxy {
  /** The HTTP proxy URL, or undefined when none is configured. */
  readonly proxy: string | undefined;
  /** Hosts reached directly even when a proxy is set. */
  readonly noProxy: readonly string[];
}

/**
 * MAAS semantics: `enable_http_proxy` + `http_proxy` set the proxy; `boot_images_no_proxy` adds every boot source's
 * host to no_proxy, for a local mirror behind a proxy meant for the internet (LP:1778710).
 */
export function importProxy(config: RegionConfig, sourceUrls: readonly string[]): ImportProxy {
  const proxy = config.enable_http_proxy && config.http_proxy.trim() !== '' ? config.http_proxy.trim() : undefined;
  if (proxy === undefined || !config.boot_images_no_proxy) return { proxy, noProxy: [] };
  const hosts = new Set<string>();
  for (const url of sourceUrls) {
    const host = hostOf(url);
    if (host !== undefined) hosts.add(host);
  }
  return { proxy, noProxy: [...hosts] };
}

/** The proxy for one URL, or undefined when it goes direct. */
export function proxyFor(settings: ImportProxy, url: string): string | undefined {
  if (settings.proxy === undefined) return undefined;
  const host = hostOf(url);
  return host !== undefined && settings.noProxy.includes(host) ? undefined : settings.proxy;
}

function hostOf(url: string): string | undefined {
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === 'http:' || protocol === 'https:' ? hostname : undefined;
  } catch {
    return undefined;
  }
}
