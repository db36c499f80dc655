import { HttpProtocolError } from './response-head.js';

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

const MAX_LINE = 4096;

/**
 * Decodes a chunked body (RFC 9112 §7.1) as its bytes arrive, handing the data on as views of the input (no copy):
 * chunk sizes, extensions and trailers are read and dropped.
 */
export class ChunkedDecoder {
  readonly #url: string;
  #state: State = 'size';
  #line = '';
  #left = 0;

  constructor(url: string) {
    this.#url = url;
  }

  get done(): boolean {
    return this.#state === 'done';
  }

  /** Feeds bytes; `onData` gets the body bytes among them. Returns how many were used (fewer only once done). */
  feed(bytes: Buffer, onData: (chunk: Buffer) => void): number {
    let at = 0;
    while (at < bytes.length && this.#state !== 'done') {
      if (this.#state === 'data') {
        const take = Math.min(this.#left, bytes.length - at);
        onData(bytes.subarray(at, at + take));
        at += take;
        this.#left -= take;
        if (this.#left === 0) this.#state = 'data-end';
        continue;
      }
      const newline = bytes.indexOf(10, at);
      const end = newline < 0 ? bytes.length : newline + 1;
      this.#line += bytes.toString('latin1', at, end);
      at = end;
      if (this.#line.length > MAX_LINE) throw new HttpProtocolError(this.#url, 'chunk line too long');
      if (newline >= 0) this.#lineDone(this.#line.replace(/\r?\n$/, ''));
    }
    return at;
  }

  #lineDone(line: string): void {
    this.#line = '';
    if (this.#state === 'data-end') {
      if (line !== '') throw new HttpProtocolError(this.#url, 'chunk not followed by CRLF');
      this.#state = 'size';
    } else if (this.#state === 'size') {
      const size = /^([0-9a-fA-F]{1,12})\s*(?:;.*)?$/.exec(line)?.[1];
      if (size === undefined) throw new HttpProtocolError(this.#url, `chunk size ${JSON.stringify(line.slice(0, 40))}`);
      this.#left = parseInt(size, 16);
      this.#state = this.#left === 0 ? 'trailer' : 'data';
    } else if (line === '') {
      this.#state = 'done';
    }
  }
}
