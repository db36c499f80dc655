// The MAAS API 2.0 as the page calls it: every request signed with the user's key (OAuth 1.0 PLAINTEXT, the way
// the maas CLI signs), bodies sent urlencoded (the API reads them like the CLI's multipart).

const API_ROOT = '/MAAS/api/2.0/';
const KEY_STORAGE = 'bootsync.apiKey';

/** A refused or failed call; `message` is the API's own words (text, or `field: message` for form errors). */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function storedKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function storeKey(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_STORAGE);
}

/** `consumer:token:secret` split, or undefined when the text is not shaped like a key. */
export function parseKey(text) {
  const parts = text.trim().split(':');
  return parts.length === 3 && parts.every((p) => p !== '') ? parts : undefined;
}

/** The header oauthlib builds for maascli: PLAINTEXT, empty consumer secret, so the signature is `&secret`. */
function authorization(key) {
  const [consumer, token, secret] = parseKey(key) ?? ['', '', ''];
  const nonce = crypto.getRandomValues(new Uint32Array(2)).join('');
  const timestamp = Math.floor(Date.now() / 1000);
  const e = encodeURIComponent;
  return (
    `OAuth oauth_nonce="${nonce}", oauth_timestamp="${timestamp}", oauth_version="1.0", ` +
    `oauth_signature_method="PLAINTEXT", oauth_consumer_key="${e(consumer)}", oauth_token="${e(token)}", ` +
    `oauth_signature="%26${e(secret)}"`
  );
}

/** `fields`: [name, value] pairs; repeated names are repeated parameters (arches=amd64&arches=arm64). */
function encode(fields) {
  const params = new URLSearchParams();
  for (const [name, value] of fields) params.append(name, String(value));
  return params;
}

/**
 * Calls `path` under the API root with the given key. GET and DELETE carry fields in the query, the others in the
 * body. Resolves with parsed JSON, text, or null (204); rejects with ApiError carrying the API's message.
 */
export async function call(key, method, path, fields = []) {
  const [route, op] = path.split('?');
  const query = new URLSearchParams(op);
  const init = { method, headers: { Authorization: authorization(key) } };
  if (method === 'GET' || method === 'DELETE') {
    for (const [name, value] of encode(fields)) query.append(name, value);
  } else if (fields.length > 0) {
    init.body = encode(fields);
  }
  const qs = query.toString();
  let response;
  try {
    response = await fetch(`${API_ROOT}${route}${qs ? `?${qs}` : ''}`, init);
  } catch (err) {
    throw new ApiError(0, `The region did not answer (${err.message}).`);
  }
  const type = response.headers.get('content-type') ?? '';
  const body = response.status === 204 ? null : type.startsWith('application/json') ? await response.json() : await response.text();
  if (!response.ok) throw new ApiError(response.status, errorText(body, response.status));
  return body;
}

function errorText(body, status) {
  if (typeof body === 'string' && body.trim() !== '') return body.trim();
  if (body && typeof body === 'object') {
    return Object.entries(body)
      .map(([field, messages]) => `${field === '__all__' ? '' : `${field}: `}${[].concat(messages).join(' ')}`)
      .join(' ');
  }
  return `The region answered HTTP ${status}.`;
}
