import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { ApiKey } from '../src/db/index.js';

/**
 * Requests captured on the wire from the real maas CLI (canonical/maas src/maascli + src/apiclient, httplib2 0.20.4,
 * see docs/maas-cli-compat.md), kept in fixtures/maascli/ and sent byte for byte to a listening region API. Only
 * what differs between runs is put back in: `{HOST}`, the key (`{CONSUMER_KEY}`, `{TOKEN_KEY}`, `{TOKEN_SECRET}`)
 * and ids the captured run had (`{SOURCE_ID}`...).
 */
export const MAASCLI_FIXTURES = join(import.meta.dirname, 'fixtures', 'maascli');

export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

type Key = Pick<ApiKey, 'consumerKey' | 'tokenKey' | 'tokenSecret'>;

/** Puts the host, the key and `{NAME}` values into captured bytes (latin1, so every byte stays as it was). */
export function fillCaptured(raw: string, host: string, key: Key, vars: Readonly<Record<string, string>> = {}): Buffer {
  let text = raw
    .replaceAll('{HOST}', host)
    .replaceAll('{CONSUMER_KEY}', key.consumerKey)
    .replaceAll('{TOKEN_KEY}', key.tokenKey)
    .replaceAll('{TOKEN_SECRET}', key.tokenSecret);
  for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, value);
  return Buffer.from(text, 'latin1');
}

/** A captured request, ready to send. */
export function captured(name: string, host: string, key: Key, vars: Readonly<Record<string, string>> = {}): Buffer {
  return fillCaptured(readFileSync(join(MAASCLI_FIXTURES, `${name}.http`), 'latin1'), host, key, vars);
}

/** One Content-Length framed HTTP/1.1 answer at the start of `received`, and how many bytes it took. */
function parseAnswer(received: Buffer): { answer: RawAnswer; length: number } | undefined {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  const length = Number(headers['content-length'] ?? 0);
  if (received.length < end + 4 + length) return undefined;
  const body = received.subarray(end + 4, end + 4 + length).toString('utf8');
  return { answer: { status: Number(statusLine!.split(' ')[1]), headers, body }, length: end + 4 + length };
}

/** One connection kept open across requests, as httplib2 keeps it; each send reads one answer (as fastify frames them). */
export async function keepAlive(host: string): Promise<{ send(request: Buffer): Promise<RawAnswer>; close(): void }> {
  const [hostname, port] = host.split(':') as [string, string];
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = Buffer.alloc(0);
  let waiting: ((answer: RawAnswer) => void) | undefined;
  const tryAnswer = (): void => {
    const parsed = waiting && parseAnswer(received);
    if (!parsed) return;
    received = received.subarray(parsed.length);
    const done = waiting!;
    waiting = undefined;
    done(parsed.answer);
  };
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    tryAnswer();
  });
  return {
    send: (request) =>
      new Promise<RawAnswer>((resolve, reject) => {
        waiting = resolve;
        socket.once('error', reject);
        socket.write(request);
        tryAnswer();
      }),
    close: () => socket.destroy(),
  };
}

/** Writes the bytes on a fresh connection and reads one answer. */
export async function exchange(host: string, request: Buffer): Promise<RawAnswer> {
  const connection = await keepAlive(host);
  try {
    return await connection.send(request);
  } finally {
    connection.close();
  }
}
