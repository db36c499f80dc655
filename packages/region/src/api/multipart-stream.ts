import { BadRequestError } from './errors.js';
import { boundaryOf, decodeTransfer, dispositionParam, parseBody, parseHeaders } from './body.js';
import type { ParamBag } from './params.js';
import type { RequestBody } from './route-table.js';

/** A part about to be read: its form name, and its file name when it came as a file (`content@=FILE`). */
interface PartInfo {
  readonly name: string;
  readonly filename: string | undefined;
}

/** Where a streamed part's decoded bytes go, chunk by chunk, in order. */
export interface PartSink {
  /** A promise when the sink wants the next chunk to wait (backpressure). */
  write(chunk: Buffer): Promise<void> | undefined;
  end(): Promise<void>;
  /** The body broke off or was refused: drop what was written. */
  abort(): Promise<void>;
}

export interface StreamedFormOptions {
  /** A sink for a part that must not be held in memory (an image), or undefined to collect it as a field. */
  readonly sinkFor: (part: PartInfo) => PartSink | undefined;
  /** Bytes all collected fields may take together. @defaultValue 1 MiB */
  readonly fieldBytes?: number;
}

const HEADER_BYTES = 16 * 1024;
const FIELD_BYTES = 1024 * 1024;

/**
 * The arguments of a streamed body: multipart read as it arrives (streamed parts to their sinks), any other form
 * (urlencoded, JSON) read whole up to the fields' limit and parsed as body.ts parses it.
 */
export async function readBodyInto(body: RequestBody, into: ParamBag, options: StreamedFormOptions): Promise<void> {
  const media = (body.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media === 'multipart/form-data') return readStreamedForm(body.contentType!, body.stream, into, options);
  const limit = options.fieldBytes ?? FIELD_BYTES;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body.stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BadRequestError(`Request body is too large: fields may take ${limit} bytes.`, 413);
    chunks.push(chunk);
  }
  parseBody(body.contentType, Buffer.concat(chunks), into);
}

/**
 * Reads a multipart/form-data body as it arrives, without holding a streamed part in memory: fields go into
 * `into` (decoded as body.ts decodes them), streamed parts (chosen by `sinkFor`) into their sink, base64 decoded on
 * the way, which is how the maas CLI sends every part. Throws BadRequestError for a body that is not multipart as
 * MAAS's clients write it; the sink of a part being written is aborted then.
 */
async function readStreamedForm(
  contentType: string,
  body: AsyncIterable<Buffer>,
  into: ParamBag,
  options: StreamedFormOptions,
): Promise<void> {
  const boundary = boundaryOf(contentType);
  const reader = new PartReader(Buffer.from(`\n--${boundary}`), into, options);
  try {
    // The first delimiter may open the body without a line break before it.
    await reader.feed(Buffer.from('\n'));
    for await (const chunk of body) await reader.feed(chunk);
    await reader.finish();
  } catch (err) {
    await reader.abort();
    throw err;
  }
}

type State = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';

class PartReader {
  #buf: Buffer = Buffer.alloc(0);
  #state: State = 'preamble';
  #index = 0;
  #part: { name: string; sink: PartSink | undefined; decoder: Base64Stream | undefined; collected: Buffer[]; encoding: string | undefined; isFile: boolean } | undefined;
  #fieldBytes = 0;

  constructor(
    private readonly delimiter: Buffer,
    private readonly into: ParamBag,
    private readonly options: StreamedFormOptions,
  ) {}

  async feed(chunk: Buffer): Promise<void> {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    for (;;) {
      const progressed = await this.#step();
      if (!progressed) return;
    }
  }

  async finish(): Promise<void> {
    if (this.#state !== 'done') throw new BadRequestError(`multipart body is truncated: part ${Math.max(this.#index, 1)} has no closing boundary.`);
  }

  async abort(): Promise<void> {
    const sink = this.#part?.sink;
    this.#part = undefined;
    await sink?.abort();
  }

  /** One transition of the state machine; false when it needs more bytes. */
  async #step(): Promise<boolean> {
    switch (this.#state) {
      case 'preamble': {
        const at = this.#buf.indexOf(this.delimiter);
        if (at < 0) {
          this.#buf = this.#buf.subarray(Math.max(0, this.#buf.length - this.delimiter.length));
          return false;
        }
        this.#buf = this.#buf.subarray(at + this.delimiter.length);
        this.#state = 'after-delimiter';
        return true;
      }
      case 'after-delimiter': {
        if (this.#buf.length < 2) return false;
        if (this.#buf.subarray(0, 2).toString('latin1') === '--') {
          this.#state = 'done';
          this.#buf = Buffer.alloc(0);
          return false;
        }
        const eol = this.#buf.indexOf('\n');
        if (eol < 0) return this.#tooLong('delimiter line', 1024);
        this.#buf = this.#buf.subarray(eol + 1);
        this.#index += 1;
        this.#state = 'headers';
        return true;
      }
      case 'headers': {
        // A part without headers starts with its blank line; otherwise the first blank line ends them.
        const bare = this.#buf[0] === 0x0a ? 1 : this.#buf[0] === 0x0d && this.#buf[1] === 0x0a ? 2 : 0;
        if (bare === 0 && this.#buf.length < 2) return false;
        let headerText = '';
        let rest = this.#buf.subarray(bare);
        if (bare === 0) {
          const crlf = this.#buf.indexOf('\r\n\r\n');
          const lf = this.#buf.indexOf('\n\n');
          const useLf = lf >= 0 && (crlf < 0 || lf < crlf);
          const end = useLf ? lf : crlf;
          if (end < 0) return this.#tooLong('part headers', HEADER_BYTES);
          headerText = this.#buf.subarray(0, end).toString('latin1');
          rest = this.#buf.subarray(end + (useLf ? 2 : 4));
        }
        this.#openPart(headerText);
        this.#buf = rest;
        this.#state = 'body';
        return true;
      }
      case 'body': {
        const at = this.#buf.indexOf(this.delimiter);
        if (at < 0) {
          // Keep what could be the start of a delimiter (and a CR before it) for the next chunk.
          const keep = this.delimiter.length;
          if (this.#buf.length > keep) {
            await this.#partData(this.#buf.subarray(0, this.#buf.length - keep));
            this.#buf = this.#buf.subarray(this.#buf.length - keep);
          }
          return false;
        }
        // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1), not to the part.
        const end = at > 0 && this.#buf[at - 1] === 0x0d ? at - 1 : at;
        await this.#partData(this.#buf.subarray(0, end));
        this.#buf = this.#buf.subarray(at + this.delimiter.length);
        await this.#closePart();
        this.#state = 'after-delimiter';
        return true;
      }
      case 'done':
        return false;
    }
  }

  #tooLong(what: string, limit: number): false {
    if (this.#buf.length > limit) throw new BadRequestError(`multipart part ${this.#index}: ${what} longer than ${limit} bytes.`);
    return false;
  }

  #openPart(headerText: string): void {
    const headers = parseHeaders(headerText);
    const disposition = headers.get('content-disposition') ?? '';
    const name = dispositionParam(disposition, 'name');
    if (!/^form-data\b/i.test(disposition) || name === undefined) {
      throw new BadRequestError(`multipart part ${this.#index} has no 'Content-Disposition: form-data; name="..."' header.`);
    }
    const filename = dispositionParam(disposition, 'filename');
    const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
    const sink = this.options.sinkFor({ name, filename });
    let decoder: Base64Stream | undefined;
    if (sink) {
      if (encoding === 'base64') decoder = new Base64Stream(name);
      else if (encoding !== undefined && !['7bit', '8bit', 'binary'].includes(encoding)) {
        throw new BadRequestError(`multipart part '${name}' has an unsupported Content-Transfer-Encoding '${encoding}' for a file.`);
      }
    }
    this.#part = { name, sink, decoder, collected: [], encoding, isFile: filename !== undefined };
  }

  async #partData(raw: Buffer): Promise<void> {
    const part = this.#part;
    if (!part || raw.length === 0) return;
    if (!part.sink) {
      this.#fieldBytes += raw.length;
      const limit = this.options.fieldBytes ?? 1024 * 1024;
      if (this.#fieldBytes > limit) throw new BadRequestError(`multipart fields exceed ${limit} bytes (part '${part.name}').`, 413);
      // Copied: the reader's buffer is reused for the next chunk.
      part.collected.push(Buffer.from(raw));
      return;
    }
    const bytes = part.decoder ? part.decoder.push(raw) : raw;
    if (bytes.length > 0) await part.sink.write(Buffer.from(bytes));
  }

  async #closePart(): Promise<void> {
    const part = this.#part;
    if (!part) return;
    if (part.sink) {
      const tail = part.decoder?.end();
      if (tail && tail.length > 0) await part.sink.write(tail);
      this.#part = undefined;
      await part.sink.end();
      return;
    }
    this.into.add(part.name, { bytes: decodeTransfer(Buffer.concat(part.collected), part.encoding, part.name), isFile: part.isFile });
    this.#part = undefined;
  }
}

/** base64 text arriving in pieces (76-column lines split anywhere), decoded four characters at a time. */
class Base64Stream {
  #pending = '';

  constructor(private readonly name: string) {}

  push(raw: Buffer): Buffer {
    const text = this.#pending + raw.toString('latin1').replace(/[\r\n\t ]/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw this.#invalid();
    const whole = text.length - (text.length % 4);
    this.#pending = text.slice(whole);
    return Buffer.from(text.slice(0, whole), 'base64');
  }

  end(): Buffer {
    if (this.#pending !== '') throw this.#invalid();
    return Buffer.alloc(0);
  }

  #invalid(): BadRequestError {
    return new BadRequestError(`multipart part '${this.name}' claims base64 but its value is not valid base64.`);
  }
}
