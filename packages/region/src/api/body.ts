import { BadRequestError } from './errors.js';
import { ParamBag, type ParamValue } from './params.js';

/**
 * Request bodies as MAAS clients send them, parsed into key=value arguments (pure: bytes in, ParamBag out).
 * The maas CLI builds multipart bodies with Python's `email` package: a quoted boundary, and every part's value
 * base64-encoded with `Content-Transfer-Encoding: base64` — which multipart libraries leave undecoded, hence
 * this parser. urlencoded and JSON bodies (scripts, the Images page) are accepted too.
 */
export function parseBody(contentType: string | undefined, body: Buffer, into = new ParamBag()): ParamBag {
  if (body.length === 0) return into;
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  switch (media) {
    case 'multipart/form-data':
      return parseMultipart(contentType!, body, into);
    case 'application/x-www-form-urlencoded':
      return parseUrlEncoded(body.toString('utf8'), into);
    case 'application/json':
      return parseJsonBody(body, into);
    default:
      throw new BadRequestError(
        `Unsupported request body type '${media || '(none)'}': send multipart/form-data, application/x-www-form-urlencoded or application/json.`,
        415,
      );
  }
}

function parseUrlEncoded(text: string, into = new ParamBag()): ParamBag {
  for (const [k, v] of new URLSearchParams(text)) into.add(k, v);
  return into;
}

function parseJsonBody(body: Buffer, into: ParamBag): ParamBag {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new BadRequestError(`The request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new BadRequestError('The request body must be a JSON object of parameters.');
  }
  for (const [k, v] of Object.entries(doc)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (typeof item === 'object' && item !== null) {
        throw new BadRequestError(`JSON parameter '${k}' must be a string, number, boolean or a list of them.`);
      }
      into.add(k, String(item));
    }
  }
  return into;
}

/** `boundary=` of a multipart Content-Type, quoted (as Python sends it) or not. */
export function boundaryOf(contentType: string): string {
  const m = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^;\s"]{1,70}))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new BadRequestError('multipart/form-data body without a boundary parameter in its Content-Type.');
  return boundary;
}

function parseMultipart(contentType: string, body: Buffer, into = new ParamBag()): ParamBag {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new BadRequestError('multipart body does not contain its boundary.');
  for (let index = 1; ; index++) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return into; // the closing delimiter
    const next = body.indexOf(delimiter, pos);
    if (next < 0) throw new BadRequestError(`multipart body is truncated: part ${index} has no closing boundary.`);
    // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1), not to the part.
    const part = body.subarray(skipLineBreak(body, pos), trimLineBreak(body, next));
    const { name, value } = parsePart(part, index);
    into.add(name, value);
    pos = next;
  }
}

function skipLineBreak(buf: Buffer, at: number): number {
  if (buf[at] === 0x0d && buf[at + 1] === 0x0a) return at + 2;
  return buf[at] === 0x0a ? at + 1 : at;
}

function trimLineBreak(buf: Buffer, end: number): number {
  if (buf[end - 1] === 0x0a) return buf[end - 2] === 0x0d ? end - 2 : end - 1;
  return end;
}

function parsePart(part: Buffer, index: number): { name: string; value: ParamValue } {
  // Python writes CRLF; accept bare LF as well, whichever blank line comes first ends the headers.
  const crlf = part.indexOf('\r\n\r\n');
  const lf = part.indexOf('\n\n');
  const useLf = lf >= 0 && (crlf < 0 || lf < crlf);
  const split = useLf ? lf : crlf;
  const sepLength = useLf ? 2 : 4;
  if (split < 0) throw new BadRequestError(`multipart part ${index} has no blank line after its headers.`);
  const headers = parseHeaders(part.subarray(0, split).toString('latin1'));
  const raw = part.subarray(split + sepLength);

  const disposition = headers.get('content-disposition') ?? '';
  const name = dispositionParam(disposition, 'name');
  if (!/^form-data\b/i.test(disposition) || name === undefined) {
    throw new BadRequestError(`multipart part ${index} has no 'Content-Disposition: form-data; name="..."' header.`);
  }
  const isFile = dispositionParam(disposition, 'filename') !== undefined;
  return { name, value: { bytes: decodeTransfer(raw, headers.get('content-transfer-encoding'), name), isFile } };
}

export function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  // Folded header lines (a line starting with white space) continue the previous header.
  for (const line of text.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

export function dispositionParam(disposition: string, param: string): string | undefined {
  const m = new RegExp(`;\\s*${param}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(disposition);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

export function decodeTransfer(raw: Buffer, encoding: string | undefined, name: string): Buffer {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64': {
      const text = raw.toString('latin1').replace(/[\r\n\t ]/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
        throw new BadRequestError(`multipart part '${name}' claims base64 but its value is not valid base64.`);
      }
      return Buffer.from(text, 'base64');
    }
    case 'quoted-printable':
      return decodeQuotedPrintable(raw.toString('latin1'));
    case '7bit':
    case '8bit':
    case 'binary':
      return Buffer.from(raw);
    default:
      throw new BadRequestError(`multipart part '${name}' has an unsupported Content-Transfer-Encoding '${encoding}'.`);
  }
}

function decodeQuotedPrintable(text: string): Buffer {
  const unfolded = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < unfolded.length; i++) {
    const hex = unfolded.slice(i + 1, i + 3);
    if (unfolded[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(unfolded.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}
