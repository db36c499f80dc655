import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheRealOffer, maasMultipart, oauthHeader, pythonMaasMultipart, startApi, type ApiHarness } from './api-harness.js';

const P = '/MAAS/api/2.0/';
let api: ApiHarness;
let auth: string;

beforeAll(async () => {
  api = await startApi();
  auth = oauthHeader(api.key);
});
afterAll(() => api.close());

describe('login as maascli does it', () => {
  it('answers whoami for a good key, signed PLAINTEXT with %26<secret>', async () => {
    const res = await api.app.inject({ method: 'GET', url: `${P}users/?op=whoami`, headers: { authorization: auth } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toMatchObject({ username: 'admin', is_superuser: true, resource_uri: `${P}users/admin/` });
  });

  it.each([
    ['no header', undefined],
    ['a wrong secret', oauthHeaderWith({ tokenSecret: 'nope' })],
    ['an unknown token', oauthHeaderWith({ tokenKey: 'unknown' })],
    ['a wrong consumer key', oauthHeaderWith({ consumerKey: 'other' })],
    ['HMAC instead of PLAINTEXT', 'OAuth oauth_signature_method="HMAC-SHA1", oauth_token="x", oauth_signature="y"'],
    ['Basic auth', 'Basic YWRtaW46YWRtaW4='],
  ])('refuses %s with a 401 and a message', async (_what, header) => {
    const headers = header === undefined ? {} : { authorization: typeof header === 'function' ? header() : header };
    const res = await api.app.inject({ method: 'GET', url: `${P}users/?op=whoami`, headers });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body.length).toBeGreaterThan(5);
    expect(res.body).not.toContain(api.key.tokenSecret);
  });

  it('serves describe unsigned with Content-Type exactly application/json, path and uri per handler', async () => {
    const res = await api.app.inject({ method: 'GET', url: `${P}describe/`, headers: { host: '10.0.0.2:5240' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const doc = res.json() as { hash: string; resources: { name: string; anon: unknown; auth: { path: string; uri: string } }[] };
    const users = doc.resources.find((r) => r.name === 'UsersHandler');
    expect(users).toMatchObject({ anon: null, auth: { path: `${P}users/`, uri: `http://10.0.0.2:5240${P}users/` } });
    expect(doc.hash).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('describe drives the maas CLI', () => {
  interface Handler { name: string; params: string[]; path: string; actions: { name: string; op: string | null; method: string; doc: string }[] }
  const describeDoc = async (): Promise<{ resources: { auth: Handler }[] }> =>
    (await api.app.inject({ method: 'GET', url: `${P}describe/` })).json();

  // maascli: handler name split on CamelCase, lower-cased, hyphen-joined, minus "handler".
  const commandWord = (name: string): string =>
    name.replace(/Handler$/, '').split(/(?=[A-Z])/).map((w) => w.toLowerCase()).join('-');

  it("offers the seed's command words with their positional arguments", async () => {
    const commands = Object.fromEntries((await describeDoc()).resources.map((r) => [commandWord(r.auth.name), r.auth.params]));
    expect(commands).toMatchObject({
      'boot-sources': [],
      'boot-source': ['id'],
      'boot-source-selections': ['boot_source_id'],
      'boot-source-selection': ['boot_source_id', 'id'],
      'boot-resources': [],
      'boot-resource': ['id'],
      maas: [],
      users: [],
    });
  });

  it('documents :param after the first paragraph of every action that takes key=value arguments', async () => {
    const actions = (await describeDoc()).resources.flatMap((r) => r.auth.actions.map((a) => ({ ...a, handler: r.auth.name })));
    const withArgs = actions.filter((a) => ['create', 'update', 'fetch', 'set_config', 'get_config'].includes(a.name));
    expect(withArgs).toHaveLength(8);
    for (const a of withArgs) {
      const [, ...rest] = a.doc.split('\n\n');
      expect(rest.join('\n\n'), `${a.handler}.${a.name}`).toMatch(/:param \w+:/);
    }
    expect(actions.find((a) => a.handler === 'BootResourcesHandler' && a.name === 'is_importing')).toMatchObject({
      method: 'GET',
      op: 'is_importing',
    });
  });
});

describe("the real client's multipart body (Python's email package, as maascli builds it)", () => {
  it('creates a source and a selection from it, repeated keys and a file part included', async () => {
    const keyring = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));
    const source = pythonMaasMultipart([['url', 'http://python.example/'], ['keyring_data', keyring, 'file']]);
    expect(source.contentType).toMatch(/^multipart\/form-data; boundary="===============\d+=="$/);
    const created = await api.app.inject({
      method: 'POST',
      url: `${P}boot-sources/`,
      headers: { authorization: auth, 'content-type': source.contentType },
      payload: source.body,
    });
    expect(created.statusCode).toBe(201);
    const body = created.json() as { id: number; keyring_data: string };
    expect(Buffer.from(body.keyring_data, 'base64')).toEqual(keyring);
    await cacheRealOffer(api.repos, body.id);

    const selection = pythonMaasMultipart([['os', 'ubuntu'], ['release', 'noble'], ['arches', 'amd64'], ['arches', 'arm64'], ['labels', '*']]);
    const res = await api.app.inject({
      method: 'POST',
      url: `${P}boot-sources/${body.id}/selections/`,
      headers: { authorization: auth, 'content-type': selection.contentType },
      payload: selection.body,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ os: 'ubuntu', release: 'noble', arches: ['amd64', 'arm64'], labels: ['*'], subarches: ['*'] });
  });
});

describe('bodies other than multipart', () => {
  it.each([
    ['application/x-www-form-urlencoded', 'url=http%3A%2F%2Fform.example%2F&skip_keyring_verification=true'],
    ['application/json', JSON.stringify({ url: 'http://json.example/', skip_keyring_verification: true })],
  ])('accepts %s', async (contentType, payload) => {
    const res = await api.app.inject({
      method: 'POST',
      url: `${P}boot-sources/`,
      headers: { authorization: auth, 'content-type': contentType },
      payload,
    });
    expect(res.statusCode).toBe(201);
    expect((res.json() as { skip_keyring_verification: boolean }).skip_keyring_verification).toBe(true);
  });

  it.each([
    ['application/json', '{"url": '],
    ['application/xml', '<url/>'],
    ['multipart/form-data; boundary="abc"', '--abc\r\nContent-Disposition: form-data; name="url"\r\n\r\nhttp://x/'],
    ['multipart/form-data; boundary="abc"', '--abc\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: form-data; name="url"\r\n\r\n!!!\r\n--abc--'],
  ])('answers a 4xx with a message for a bad %s body', async (contentType, payload) => {
    const res = await api.app.inject({
      method: 'POST',
      url: `${P}boot-sources/`,
      headers: { authorization: auth, 'content-type': contentType },
      payload,
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body.length).toBeGreaterThan(10);
  });
});

describe('bad requests are 4xx with a message', () => {
  it('names an unknown op as piston does', async () => {
    const res = await api.app.inject({ method: 'GET', url: `${P}users/?op=foo`, headers: { authorization: auth } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toBe('Unrecognised signature: method=GET op=foo');
  });

  it('says op=None for a method the handler lacks', async () => {
    const res = await api.app.inject({ method: 'DELETE', url: `${P}users/`, headers: { authorization: auth } });
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe('Unrecognised signature: method=DELETE op=None');
  });

  it('refuses an oversize body with a 413', async () => {
    const { contentType, body } = maasMultipart([['x', Buffer.alloc(2 * 1024 * 1024, 0x61)]]);
    const res = await api.app.inject({
      method: 'POST',
      url: `${P}users/?op=whoami`,
      headers: { authorization: auth, 'content-type': contentType },
      payload: body,
    });
    expect(res.statusCode).toBe(413);
    expect(res.body).toMatch(/too large/i);
  });

  it('answers an unknown path with a text 404', async () => {
    const res = await api.app.inject({ method: 'GET', url: `${P}nothing-here/`, headers: { authorization: auth } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
  });
});

function oauthHeaderWith(change: Partial<{ consumerKey: string; tokenKey: string; tokenSecret: string }>): () => string {
  return () => oauthHeader({ ...api.key, ...change });
}

describe('cookies', () => {
  it('are no credential: a call with a cookie and no OAuth header is refused with a 401', async () => {
    const res = await api.app.inject({ method: 'GET', url: `${P}users/?op=whoami`, headers: { cookie: 'bootsync_session=good-session' } });
    expect(res.statusCode).toBe(401);
  });
});
