/**
 * What an action answers, before it meets HTTP: MAAS answers JSON, plain text (import started...), or an empty 204.
 * Kept as data so handlers stay free of fastify and the content types live in one place (send.ts).
 */
export type ApiAnswer =
  | { readonly kind: 'json'; readonly status: number; readonly value: unknown }
  | { readonly kind: 'text'; readonly status: number; readonly text: string }
  | { readonly kind: 'empty'; readonly status: 204 };

export function json(value: unknown, status = 200): ApiAnswer {
  return { kind: 'json', status, value };
}

export function text(message: string, status = 200): ApiAnswer {
  return { kind: 'text', status, text: message };
}

export function noContent(): ApiAnswer {
  return { kind: 'empty', status: 204 };
}
