import { BootsyncError, type DownloadErrorCode } from '../../errors/index.js';

/** A response a server should not have sent: garbled head, conflicting lengths, a head too large. Not retried. */
export class HttpProtocolError extends BootsyncError<DownloadErrorCode> {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super('DOWNLOAD_ERR_PROTOCOL', `${url}: not a valid HTTP/1.1 response (${reason})`);
  }
}

export interface ResponseHead {
  readonly statusCode: number;
  readonly httpVersion: '1.0' | '1.1';
  /** Lower-case names; a header sent twice is joined with ', ', as undici and Node do. */
  readonly headers: Readonly<Record<string, string>>;
  /** Bytes of the head, its final CRLF CRLF included. */
  readonly length: number;
}

/** How the body after a head ends. */
export type Framing =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  /** Until the server closes the connection (HTTP/1.0 style): the connection cannot be kept. */
  | { readonly kind: 'close' };

/** Heads larger than this are refused (undici's default maxHeaderSize is 16 KiB; CDNs stay well under). */
const MAX_HEAD_BYTES = 64 * 1024;

const END = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The response head at the start of `bytes`, or undefined while its end has not arrived. Throws HttpProtocolError
 * for a head that is not HTTP/1.x or too large. Pure.
 */
export function parseResponseHead(bytes: Buffer, url: string): ResponseHead | undefined {
  const end = bytes.indexOf(END);
  if (end < 0) {
    if (bytes.length > MAX_HEAD_BYTES) throw new HttpProtocolError(url, `head larger than ${MAX_HEAD_BYTES} bytes`);
    return undefined;
  }
  if (end > MAX_HEAD_BYTES) throw new HttpProtocolError(url, `head larger than ${MAX_HEAD_BYTES} bytes`);
  const [statusLine = '', ...lines] = bytes.toString('latin1', 0, end).split('\r\n');
  const status = STATUS_LINE.exec(statusLine);
  if (!status) throw new HttpProtocolError(url, `status line ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (colon <= 0 || !HEADER_NAME.test(name)) throw new HttpProtocolError(url, `header line ${JSON.stringify(line.slice(0, 80))}`);
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { statusCode: Number(status[2]), httpVersion: status[1] === '0' ? '1.0' : '1.1', headers, length: end + END.length };
}

/** How the body of a response to a GET ends (RFC 9112 §6.3). Pure. */
export function bodyFraming(head: ResponseHead, url: string): Framing {
  const { statusCode, headers } = head;
  if ((statusCode >= 100 && statusCode < 200) || statusCode === 204 || statusCode === 304) return { kind: 'none' };
  const codings = headers['transfer-encoding'];
  if (codings !== undefined) {
    if (/(?:^|,)\s*chunked\s*$/i.test(codings)) return { kind: 'chunked' };
    return { kind: 'close' };
  }
  const length = headers['content-length'];
  if (length === undefined) return { kind: 'close' };
  // The same length sent twice ("123, 123") is allowed; two different ones are not.
  const values = new Set(length.split(',').map((v) => v.trim()));
  const [only] = values;
  if (values.size !== 1 || only === undefined || !/^\d{1,16}$/.test(only)) throw new HttpProtocolError(url, `content-length ${JSON.stringify(length)}`);
  return { kind: 'length', length: Number(only) };
}

/** Whether the connection may carry another request after this response. */
export function keepsAlive(head: ResponseHead, framing: Framing): boolean {
  if (framing.kind === 'close') return false;
  const connection = (head.headers.connection ?? '').toLowerCase();
  if (head.httpVersion === '1.0') return /(?:^|,)\s*keep-alive\s*(?:,|$)/.test(connection);
  return !/(?:^|,)\s*close\s*(?:,|$)/.test(connection);
}
