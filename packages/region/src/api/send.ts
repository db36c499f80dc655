import type { FastifyReply } from 'fastify';
import type { ApiAnswer } from './answer.js';

/** As MAAS (Django) sends them; the maas CLI checks describe's type byte for byte, so that one has no charset. */
export const CONTENT_TYPES = {
  json: 'application/json; charset=utf-8',
  describe: 'application/json',
  text: 'text/plain; charset=utf-8',
  /** Django's default, sent on the empty 204: the CLI fails on a response without any Content-Type. */
  empty: 'text/html; charset=utf-8',
} as const;

/**
 * Writes an answer. Payloads go out as Buffers because fastify appends `; charset=utf-8` to any string it sends
 * with a JSON type, and the 204 is sent without a payload because fastify strips the Content-Type of an empty one.
 */
export function sendAnswer(reply: FastifyReply, answer: ApiAnswer, jsonType: string = CONTENT_TYPES.json): FastifyReply {
  reply.code(answer.status);
  switch (answer.kind) {
    case 'json':
      return reply.header('content-type', jsonType).send(Buffer.from(JSON.stringify(answer.value), 'utf8'));
    case 'text':
      return reply.header('content-type', CONTENT_TYPES.text).send(Buffer.from(answer.text, 'utf8'));
    case 'empty':
      return reply.header('content-type', CONTENT_TYPES.empty).send();
  }
}
