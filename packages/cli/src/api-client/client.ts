import { request, type Dispatcher } from 'undici';
import { BootsyncError } from '@bootsync/shared/errors';
import type { CommandErrorCode } from '../errors/index.js';
import { encodeMaasMultipart, type FormField } from './multipart.js';
import { parseApiKey, plaintextOAuthHeader, type ApiKeyParts } from './oauth.js';

/** The region answered with a status outside 2xx; `message` is its body, which says what was wrong. */
export class ApiRequestError extends BootsyncError<CommandErrorCode> {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super('CLI_ERR_API', `${method} ${url} answered ${status}: ${body.trim() || '(no message)'}`);
  }
}

/** The region could not be reached at all. */
export class ApiUnreachableError extends BootsyncError<CommandErrorCode> {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super('CLI_ERR_UNREACHABLE', `cannot reach ${url}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export interface ApiResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** maascli's `api_url`: a trailing `/`, and `api/2.0/` appended unless the path already ends in `/api/X.Y/`. */
export function apiRootOf(url: string): string {
  const withSlash = url.endsWith('/') ? url : `${url}/`;
  return /\/api\/\d+\.\d+\/$/.test(withSlash) ? withSlash : `${withSlash}api/2.0/`;
}

export interface CallOptions {
  readonly op?: string | null;
  readonly fields?: readonly FormField[];
  /** Sign the request (every call but describe). @defaultValue true */
  readonly signed?: boolean;
}

/**
 * Talks to a region as the real maas CLI does: `path` is the handler's absolute path joined to the scheme and host
 * of the profile URL, key=values in the query for GET/DELETE and in a base64 multipart body otherwise.
 */
export class MaasApiClient {
  readonly #key: ApiKeyParts;
  readonly #origin: string;

  constructor(
    readonly apiRoot: string,
    key: string,
    private readonly dispatcher?: Dispatcher,
  ) {
    this.#key = parseApiKey(key);
    this.#origin = new URL(apiRoot).origin;
  }

  /** `path` is absolute (`/MAAS/api/2.0/boot-sources/`), or relative to the API root (`describe/`). */
  async call(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const url = this.#url(path);
    const fields = options.fields ?? [];
    if (options.op) url.searchParams.set('op', options.op);
    const headers: Record<string, string> = { accept: 'application/json, text/plain' };
    if (options.signed !== false) headers.authorization = plaintextOAuthHeader(this.#key);
    let body: Buffer | undefined;
    if (method === 'GET' || method === 'DELETE') {
      for (const f of fields) url.searchParams.append(f.name, Buffer.from(f.value).toString('utf8'));
    } else if (fields.length > 0) {
      const encoded = encodeMaasMultipart(fields);
      headers['content-type'] = encoded.contentType;
      body = encoded.body;
    } else {
      headers['content-length'] = '0';
    }
    return this.#send(method, url, headers, body);
  }

  /** PUTs raw bytes (`application/octet-stream`, signed): one chunk of an upload, as maascli's put_upload sends it. */
  put(path: string, bytes: Buffer): Promise<ApiResponse> {
    const headers = {
      'content-type': 'application/octet-stream',
      'content-length': String(bytes.length),
      authorization: plaintextOAuthHeader(this.#key),
    };
    return this.#send('PUT', this.#url(path), headers, bytes);
  }

  #url(path: string): URL {
    return new URL(path.startsWith('/') ? `${this.#origin}${path}` : `${this.apiRoot}${path}`);
  }

  async #send(method: string, url: URL, headers: Record<string, string>, body: Buffer | undefined): Promise<ApiResponse> {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method: method as Dispatcher.HttpMethod, headers, body, ...(this.dispatcher && { dispatcher: this.dispatcher }) });
    } catch (err) {
      throw new ApiUnreachableError(url.href, err);
    }
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300) throw new ApiRequestError(method, url.href, res.statusCode, text);
    return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body: text };
  }
}
