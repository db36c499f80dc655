/** One `no_proxy` entry: a host or domain suffix, optionally with a port. */
export interface NoProxyRule {
  readonly host: string;
  readonly port?: string;
}

/** `no_proxy` as curl and most tools read it: comma- or space-separated, case-insensitive, `*` for all. */
export function parseNoProxy(value: string | readonly string[] | undefined): NoProxyRule[] {
  const entries = typeof value === 'string' ? value.split(/[\s,]+/) : (value ?? []);
  return entries
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '')
    .map((e) => {
      const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(e);
      const host = (m?.[1] ?? e).replace(/^\*?\./, '');
      return m?.[2] ? { host, port: m[2] } : { host };
    });
}

/** True when the URL's host is listed (exactly, or as a subdomain of a listed domain). */
export function bypassesProxy(url: URL, rules: readonly NoProxyRule[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return rules.some(
    (r) => (r.host === '*' || host === r.host || host.endsWith(`.${r.host}`)) && (r.port === undefined || r.port === port),
  );
}
