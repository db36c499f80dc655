import { maasMultipart, oauthHeader, type Field } from '@bootsync/region/testing';
import { RACK_PROTOCOL_VERSION } from '@bootsync/shared/rack-protocol';
import type { Prng } from './prng.js';

/** What the fuzz knows of the region under test: the admin key, rows that exist, the racks' shared secret. */
export interface FuzzTarget {
  readonly consumerKey: string;
  readonly tokenKey: string;
  readonly tokenSecret: string;
  readonly sourceId: number;
  readonly selectionId: number;
  readonly resourceId: number;
  /** Larger than any id in the database: ids above it name nothing. */
  readonly maxId: number;
  readonly rackSecret: string;
}

/** One generated request and the statuses that are right for it (every one a 4xx). */
export interface FuzzInput {
  readonly kind: InputKind;
  readonly what: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly expect: readonly number[];
}

export type InputKind = 'wrong-auth' | 'bad-id' | 'bad-op-or-method' | 'broken-multipart' | 'bad-body' | 'bad-values' | 'oversize' | 'rack-endpoints';
export const INPUT_KINDS: readonly InputKind[] = ['wrong-auth', 'bad-id', 'bad-op-or-method', 'broken-multipart', 'bad-body', 'bad-values', 'oversize', 'rack-endpoints'];

const API = '/MAAS/api/2.0/';
const ANY_4XX: readonly number[] = Array.from({ length: 100 }, (_, i) => 400 + i);
const KNOWN_OPS = new Set(['import', 'stop_import', 'is_importing', 'import_status', 'fetch', 'get_config', 'set_config', 'whoami']);
/** Larger than the API's 1 MiB body limit. */
const OVER_LIMIT = 1024 * 1024 + 1;

/** A request the API accepts from the admin, several of them destructive: what wrong credentials must never reach. */
interface Signature {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly fields?: readonly Field[];
}

function signatures(t: FuzzTarget): Signature[] {
  const src = `boot-sources/${t.sourceId}/`;
  const sel = `${src}selections/${t.selectionId}/`;
  const attacker = 'http://attacker.example/stream/';
  return [
    { method: 'GET', path: 'boot-resources/' },
    { method: 'POST', path: 'boot-resources/?op=import' },
    { method: 'POST', path: 'boot-resources/?op=stop_import' },
    { method: 'GET', path: 'boot-resources/?op=import_status' },
    { method: 'GET', path: `boot-resources/${t.resourceId}/` },
    { method: 'DELETE', path: `boot-resources/${t.resourceId}/` },
    { method: 'GET', path: 'boot-sources/' },
    { method: 'POST', path: 'boot-sources/', fields: [['url', attacker], ['keyring_filename', '/etc/passwd']] },
    { method: 'POST', path: 'boot-sources/?op=fetch', fields: [['url', attacker]] },
    { method: 'GET', path: src },
    { method: 'PUT', path: src, fields: [['url', attacker]] },
    { method: 'DELETE', path: src },
    { method: 'GET', path: `${src}selections/` },
    { method: 'POST', path: `${src}selections/`, fields: [['os', 'ubuntu'], ['release', 'jammy'], ['arches', 'amd64']] },
    { method: 'GET', path: sel },
    { method: 'PUT', path: sel, fields: [['release', 'jammy']] },
    { method: 'DELETE', path: sel },
    { method: 'GET', path: 'maas/?op=get_config', fields: [['name', 'http_proxy']] },
    { method: 'POST', path: 'maas/?op=set_config', fields: [['name', 'http_proxy'], ['value', 'http://attacker.example:3128/']] },
    { method: 'GET', path: 'users/?op=whoami' },
  ];
}

/** The request a maas CLI would send for `sig`: fields in the query for GET/DELETE, a base64 multipart body otherwise. */
function asRequest(sig: Signature, authorization: string | undefined, fields: readonly Field[] = sig.fields ?? []): Omit<FuzzInput, 'kind' | 'what' | 'expect'> {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  if (sig.method === 'GET' || sig.method === 'DELETE' || fields.length === 0) {
    const query = new URLSearchParams(fields.map(([k, v]): [string, string] => [k, String(v)]));
    const sep = sig.path.includes('?') ? '&' : '?';
    return { method: sig.method, path: `${API}${sig.path}${query.size > 0 ? sep + query.toString() : ''}`, headers };
  }
  const mp = maasMultipart(fields);
  return { method: sig.method, path: `${API}${sig.path}`, headers: { ...headers, 'content-type': mp.contentType }, body: mp.body };
}

const PRINTABLE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()*+,-./:;<=>?@[]^_{|}~"=';

function wrongAuthorization(rng: Prng, t: FuzzTarget): { what: string; header: string | undefined } {
  const good = oauthHeader(t);
  const variants: (() => { what: string; header: string | undefined })[] = [
    () => ({ what: 'no Authorization', header: undefined }),
    () => ({ what: 'empty Authorization', header: '' }),
    () => ({ what: 'Bearer token', header: `Bearer ${rng.text(64, '0123456789abcdef')}` }),
    () => ({ what: 'Basic credentials', header: `Basic ${Buffer.from(`admin:${rng.text(12)}`).toString('base64')}` }),
    () => ({ what: 'OAuth garbage', header: `OAuth ${rng.text(rng.int(0, 200), PRINTABLE)}` }),
    () => ({ what: 'wrong secret', header: oauthHeader({ ...t, tokenSecret: rng.text(32) }) }),
    () => ({ what: 'unknown token', header: oauthHeader({ ...t, tokenKey: rng.text(18) }) }),
    () => ({ what: 'wrong consumer key', header: oauthHeader({ ...t, consumerKey: rng.text(18) }) }),
    () => ({ what: 'HMAC-SHA1 method', header: good.replace('PLAINTEXT', 'HMAC-SHA1') }),
    () => ({ what: 'bad percent-encoding', header: good.replace(/oauth_signature="[^"]*"/, 'oauth_signature="%zz%"') }),
    () => ({ what: 'no signature', header: good.replace(/, oauth_signature="[^"]*"/, '') }),
    () => ({ what: 'truncated header', header: good.slice(0, rng.int(0, good.length - 1)) }),
    () => ({ what: 'secret without the leading &', header: good.replace('oauth_signature="%26', 'oauth_signature="') }),
  ];
  return rng.pick(variants)();
}

function wrongAuth(rng: Prng, t: FuzzTarget): FuzzInput {
  const sig = rng.pick(signatures(t));
  const auth = wrongAuthorization(rng, t);
  return { kind: 'wrong-auth', what: `${auth.what}: ${sig.method} ${sig.path}`, ...asRequest(sig, auth.header), expect: [401] };
}

/** Ids that cannot name a row: not positive integers, too large, or not numbers at all. */
function badId(rng: Prng, t: FuzzTarget): string {
  return rng.pick<() => string>([
    () => `-${rng.int(1, 1e9)}`,
    () => '0',
    () => String(t.maxId + rng.int(1_000, 1_000_000)),
    () => '9'.repeat(rng.int(16, 60)),
    () => rng.text(rng.int(1, 12), 'abcdefghijklmnopqrstuvwxyz'),
    () => `${rng.int(1, 9)}.${rng.int(0, 9)}`,
    () => `0x${rng.int(1, 255).toString(16)}`,
    () => `${rng.int(1, 9)}e${rng.int(1, 5)}`,
    () => '..',
    () => '%2e%2e',
    () => '..%2F..%2F..%2Fetc%2Fpasswd',
    () => '%00',
    () => '%E2%91%A0',
    () => `%20${t.sourceId}`,
    () => `${t.sourceId}%00`,
  ])();
}

function badIdInput(rng: Prng, t: FuzzTarget): FuzzInput {
  const id = badId(rng, t);
  const token = oauthHeader(t);
  const shapes: [Signature, string][] = [
    [{ method: rng.pick(['GET', 'DELETE'] as const), path: `boot-sources/${id}/` }, 'source'],
    [{ method: 'PUT', path: `boot-sources/${id}/`, fields: [['priority', '5']] }, 'source'],
    [{ method: rng.pick(['GET', 'DELETE'] as const), path: `boot-resources/${id}/` }, 'resource'],
    [{ method: 'GET', path: `boot-sources/${id}/selections/` }, 'parent source'],
    [{ method: 'POST', path: `boot-sources/${id}/selections/`, fields: [['os', 'ubuntu'], ['release', 'noble']] }, 'parent source'],
    [{ method: rng.pick(['GET', 'DELETE'] as const), path: `boot-sources/${t.sourceId}/selections/${id}/` }, 'selection'],
    [{ method: 'PUT', path: `boot-sources/${t.sourceId}/selections/${id}/`, fields: [['release', 'jammy']] }, 'selection'],
  ];
  const [sig, what] = rng.pick(shapes);
  if (rng.next() < 0.15) {
    // Dot segments the client did not resolve: no route may serve them, whatever they point at.
    const traversal = `boot-sources/${t.sourceId}/${'../'.repeat(rng.int(1, 6))}${rng.pick(['etc/passwd', 'users/', `boot-sources/${t.sourceId}/`])}`;
    return { kind: 'bad-id', what: `traversal ${traversal}`, ...asRequest({ method: rng.pick(['GET', 'DELETE'] as const), path: traversal }, token), expect: [400, 404] };
  }
  return { kind: 'bad-id', what: `${what} id ${JSON.stringify(id)}: ${sig.method}`, ...asRequest(sig, token), expect: [404] };
}

function badOpOrMethod(rng: Prng, t: FuzzTarget): FuzzInput {
  const token = oauthHeader(t);
  const sig = rng.pick(signatures(t));
  const bare = sig.path.split('?')[0] as string;
  const roll = rng.int(0, 2);
  if (roll === 0) {
    let op = rng.text(rng.int(1, 24));
    if (KNOWN_OPS.has(op)) op = `x${op}`;
    if (rng.next() < 0.3) op = encodeURIComponent(`${op}${rng.text(3, PRINTABLE)}`);
    return { kind: 'bad-op-or-method', what: `op=${op} on ${sig.method} ${bare}`, ...asRequest({ ...sig, path: `${bare}?op=${op}` }, token), expect: [400] };
  }
  if (roll === 1) {
    const method = rng.pick(['PATCH', 'OPTIONS', 'PROPFIND', 'LOCK', 'SEARCH', 'MKCOL']);
    return { kind: 'bad-op-or-method', what: `${method} ${sig.path}`, method, path: `${API}${sig.path}`, headers: { authorization: token }, expect: ANY_4XX };
  }
  const missing = rng.pick<Signature>([
    { method: 'PUT', path: 'boot-resources/' },
    { method: 'DELETE', path: 'boot-sources/' },
    { method: 'POST', path: 'users/' },
    { method: 'PUT', path: 'maas/' },
    { method: 'POST', path: `boot-resources/${t.resourceId}/` },
  ]);
  return { kind: 'bad-op-or-method', what: `${missing.method} ${missing.path} without an op`, ...asRequest(missing, token), expect: [400] };
}

/** A multipart body as maascli sends it, broken in one way the parser must notice. */
function brokenMultipart(rng: Prng, t: FuzzTarget): FuzzInput {
  const sig = rng.pick(signatures(t).filter((s) => (s.method === 'POST' || s.method === 'PUT') && s.fields));
  const fields = sig.fields as readonly Field[];
  const { contentType, body } = maasMultipart(fields);
  const boundary = /boundary="([^"]+)"/.exec(contentType)?.[1] as string;
  const text = body.toString('latin1');
  const partStarts = [...text.matchAll(new RegExp(`--${boundary.replace(/[=]/g, '\\=')}\\r\\n`, 'g'))].map((m) => m.index);
  const part = rng.pick(partStarts);
  const mutations: (() => { what: string; type: string; body: string; expect?: number[] })[] = [
    () => ({ what: 'boundary not in the body', type: `multipart/form-data; boundary="${rng.text(30)}"`, body: text }),
    () => ({ what: 'no boundary parameter', type: 'multipart/form-data', body: text }),
    () => ({ what: 'boundary over 70 characters', type: `multipart/form-data; boundary="${rng.text(71 + rng.int(0, 30))}"`, body: text }),
    () => ({ what: 'truncated before the closing boundary', type: contentType, body: text.slice(0, rng.int(1, text.lastIndexOf(`--${boundary}--`) - 1)) }),
    () => {
      const value = text.indexOf('\r\n\r\n', part) + 4;
      const at = value + rng.int(0, 3);
      return { what: 'bad base64', type: contentType, body: text.slice(0, at) + rng.pick(['!', '@', '#', '*', '(', '~', '\u00e9']) + text.slice(at + 1) };
    },
    () => {
      const sep = text.indexOf('\r\n\r\n', part);
      return { what: 'no blank line after the part headers', type: contentType, body: text.slice(0, sep) + text.slice(sep + 4).replace('\r\n\r\n', '\r\n') };
    },
    () => ({ what: 'no Content-Disposition', type: contentType, body: text.replace(/Content-Disposition: [^\r]*\r\n/, '') }),
    () => ({ what: 'unknown transfer encoding', type: contentType, body: text.replace('Content-Transfer-Encoding: base64', `Content-Transfer-Encoding: x-${rng.text(6)}`) }),
    () => ({ what: 'random bytes', type: `multipart/form-data; boundary=${rng.text(20)}`, body: rng.bytes(rng.int(1, 4096)).toString('latin1') }),
    () => ({ what: 'huge part', type: contentType, body: text.replace('\r\n\r\n', `\r\n\r\n${'QUFB'.repeat(OVER_LIMIT / 4 + 1)}`), expect: [413] }),
  ];
  const m = rng.pick(mutations)();
  return {
    kind: 'broken-multipart',
    what: `${m.what}: ${sig.method} ${sig.path}`,
    method: sig.method,
    path: `${API}${sig.path}`,
    headers: { authorization: oauthHeader(t), 'content-type': m.type },
    body: Buffer.from(m.body, 'latin1'),
    expect: m.expect ?? [400],
  };
}

function badBody(rng: Prng, t: FuzzTarget): FuzzInput {
  const sig = rng.pick(signatures(t).filter((s) => s.method === 'POST' || s.method === 'PUT'));
  const bodies: [string, string, string, number][] = [
    ['invalid JSON', 'application/json', `{"name": ${rng.text(rng.int(0, 20), PRINTABLE)}`, 400],
    ['JSON array', 'application/json', JSON.stringify([rng.text(5), rng.int(0, 9)]), 400],
    ['nested JSON', 'application/json', JSON.stringify({ name: { nested: rng.text(5) } }), 400],
    ['JSON string', 'application/json', JSON.stringify(rng.text(10)), 400],
    ['urlencoded unknown keys', 'application/x-www-form-urlencoded', `x_${rng.text(8)}=${rng.text(8)}&%zz=%`, 400],
    ['unsupported type', rng.pick(['text/plain', 'application/xml', 'image/png', `${rng.text(5)}/${rng.text(5)}`]), rng.text(rng.int(1, 100), PRINTABLE), 415],
  ];
  const [what, type, body, status] = rng.pick(bodies);
  return { kind: 'bad-body', what: `${what}: ${sig.method} ${sig.path}`, method: sig.method, path: `${API}${sig.path}`, headers: { authorization: oauthHeader(t), 'content-type': type }, body: Buffer.from(body), expect: [status] };
}

/** Well-formed requests whose values no form may accept. */
function badValues(rng: Prng, t: FuzzTarget): FuzzInput {
  const src = `boot-sources/${t.sourceId}/`;
  const cases: [string, Signature][] = [
    ['source URL without a scheme', { method: 'POST', path: 'boot-sources/', fields: [['url', `zz${rng.text(12)}`], ['keyring_filename', '/etc/passwd']] }],
    ['release the source does not offer', { method: 'POST', path: `${src}selections/`, fields: [['os', 'ubuntu'], ['release', `zz${rng.text(8)}`], ['arches', 'amd64']] }],
    ['unknown config name', { method: 'POST', path: 'maas/?op=set_config', fields: [['name', `x_${rng.text(10)}`], ['value', rng.text(5)]] }],
    ['not a boolean', { method: 'POST', path: 'maas/?op=set_config', fields: [['name', 'boot_images_auto_import'], ['value', `maybe${rng.text(3)}`]] }],
    ['runs out of range', { method: 'GET', path: 'boot-resources/?op=import_status', fields: [['runs', rng.pick(['0', '101', `-${rng.int(1, 99)}`, rng.text(4, 'abcdef')])]] }],
    ['unknown parameter', { method: 'GET', path: 'users/?op=whoami', fields: [[`x_${rng.text(6)}`, rng.text(6)]] }],
    ['unknown parameter on a delete', { method: 'DELETE', path: src, fields: [[`x_${rng.text(6)}`, '1']] }],
  ];
  const [what, sig] = rng.pick(cases);
  return { kind: 'bad-values', what: `${what}: ${sig.method} ${sig.path}`, ...asRequest(sig, oauthHeader(t)), expect: [400] };
}

function oversize(rng: Prng, t: FuzzTarget): FuzzInput {
  const sig = rng.pick(signatures(t).filter((s) => s.method === 'POST' || s.method === 'PUT'));
  const type = rng.pick(['application/json', 'application/x-www-form-urlencoded', 'application/octet-stream', `multipart/form-data; boundary=${rng.text(12)}`]);
  const auth: Record<string, string> = rng.next() < 0.5 ? { authorization: oauthHeader(t) } : {};
  return {
    kind: 'oversize',
    what: `${OVER_LIMIT}+ bytes of ${type}: ${sig.method} ${sig.path}`,
    method: sig.method,
    path: `${API}${sig.path}`,
    headers: { ...auth, 'content-type': type },
    body: Buffer.alloc(OVER_LIMIT + rng.int(0, 256 * 1024), 0x61),
    expect: [413],
  };
}

/** Registration and the region stream: the racks' way in. */
function rackEndpoints(rng: Prng, t: FuzzTarget): FuzzInput {
  const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
  const secret = { authorization: `Bearer ${t.rackSecret}`, 'content-type': 'application/json' };
  const cases: (() => Omit<FuzzInput, 'kind'>)[] = [
    () => ({ what: 'register with a wrong secret', method: 'POST', path: '/MAAS/racks/register', headers: { authorization: `Bearer ${rng.text(64, '0123456789abcdef')}`, 'content-type': 'application/json' }, body: json({ name: 'intruder' }), expect: [401] }),
    () => ({ what: 'register without a secret', method: 'POST', path: '/MAAS/racks/register', headers: { 'content-type': 'application/json' }, body: json({ name: 'intruder' }), expect: [401] }),
    () => {
      const name = rng.pick<unknown>(['', '-rack', '../etc', 'has space', 'a'.repeat(64 + rng.int(0, 200)), rng.int(0, 99), null, ['rack'], { name: 'rack' }, 'rack/../x', '.hidden']);
      return { what: `register with the secret and name ${JSON.stringify(name).slice(0, 40)}`, method: 'POST', path: '/MAAS/racks/register', headers: secret, body: json({ protocol: RACK_PROTOCOL_VERSION, name }), expect: [400] };
    },
    () => ({ what: 'register with broken JSON', method: 'POST', path: '/MAAS/racks/register', headers: secret, body: Buffer.from(`{"name": "${rng.text(6)}`), expect: [400] }),
    () => ({ what: 'register oversize', method: 'POST', path: '/MAAS/racks/register', headers: secret, body: json({ name: 'big', pad: 'x'.repeat(OVER_LIMIT) }), expect: [413] }),
    () => ({
      what: 'region stream with a wrong token',
      method: rng.pick(['GET', 'HEAD']),
      path: `/MAAS/images-stream/${rng.pick(['streams/v1/index.json', '../../../etc/passwd', `%2e%2e/${rng.text(5)}`, 'streams/v1/'])}`,
      headers: rng.next() < 0.5 ? {} : ({ authorization: `Bearer ${rng.text(64, '0123456789abcdef')}` } as Record<string, string>),
      expect: [401],
    }),
  ];
  return { kind: 'rack-endpoints', ...rng.pick(cases)() };
}

const GENERATORS: Readonly<Record<InputKind, (rng: Prng, t: FuzzTarget) => FuzzInput>> = {
  'wrong-auth': wrongAuth,
  'bad-id': badIdInput,
  'bad-op-or-method': badOpOrMethod,
  'broken-multipart': brokenMultipart,
  'bad-body': badBody,
  'bad-values': badValues,
  oversize,
  'rack-endpoints': rackEndpoints,
};

/** `count` inputs, the kinds taken in turn so each gets its share, the rest drawn from `rng`. */
export function generateInputs(rng: Prng, target: FuzzTarget, count: number): FuzzInput[] {
  return Array.from({ length: count }, (_, i) => GENERATORS[INPUT_KINDS[i % INPUT_KINDS.length] as InputKind](rng, target));
}
