import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifyPlaintextOAuth, type ApiUser } from './auth.js';
import { parseBody } from './body.js';
import type { ApiDeps } from './deps.js';
import { buildDescribe, describeHash } from './describe.js';
import { answerForError, ForbiddenError, UnrecognisedSignatureError } from './errors.js';
import { ParamBag } from './params.js';
import { paramNames, type ApiAction, type ApiResource, type HttpMethod } from './route-table.js';
import { API_RESOURCES } from './resources.js';
import { CONTENT_TYPES, sendAnswer } from './send.js';

export interface MaasApiOptions {
  readonly deps: ApiDeps;
  /** The handlers to serve; the default is the whole table. */
  readonly resources?: readonly ApiResource[];
  /** @defaultValue 1 MiB: keyrings are a few KiB; anything far larger is refused with a 413. */
  readonly bodyLimit?: number;
}

/** Where MAAS clients look for the API; describe and resource_uri values carry it. */
export const MAAS_API_PREFIX = '/MAAS/api/2.0';

/** Compared by the maas CLI with its cached describe's `hash`; a difference prints "maas refresh" on stderr. */
export const API_HASH_HEADER = 'x-maas-api-hash';

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];

/**
 * The MAAS API 2.0 for images, as a fastify plugin. Register it with `{ prefix: '/MAAS/api/2.0' }`; describe and
 * resource_uri values carry that prefix. Encapsulated: its body parsers and error answers apply to its routes only.
 */
export async function maasApiPlugin(app: FastifyInstance, options: MaasApiOptions): Promise<void> {
  const { deps } = options;
  const resources = options.resources ?? API_RESOURCES;
  const apiRoot = `${app.prefix}/`;

  // Bodies are parsed per action (body.ts): multipart parts arrive base64-encoded, which no fastify parser decodes.
  // An action that streams its body (an upload) gets it unread; every other body is collected up to the limit.
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    const resource = (request.routeOptions.config as { resource?: ApiResource }).resource;
    if (resource && actionFor(resource, request)?.streamsBody) {
      done(null, payload);
      return;
    }
    collectBody(payload, request.headers['content-length'], bodyLimit).then(
      (body) => done(null, body),
      (err: Error) => done(err),
    );
  });

  // As MAAS does on every API answer, errors included; describe's own hash is the same value.
  const apiHash = describeHash(resources, apiRoot);
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header(API_HASH_HEADER, apiHash);
    return payload;
  });

  app.setErrorHandler((err, request, reply) => {
    const answer = answerForError(err);
    if (answer.status >= 500) request.log.error({ event: 'api.failed', err, url: request.url }, 'API request failed');
    if (answer.status === 401) reply.header('www-authenticate', 'OAuth realm="OAuth"');
    return sendAnswer(reply, answer);
  });
  app.setNotFoundHandler((request, reply) =>
    sendAnswer(reply, { kind: 'text', status: 404, text: `No API handler at ${request.url.split('?')[0]}.` }),
  );

  app.get('/describe/', (request, reply) => {
    const origin = `${request.protocol}://${request.host}`;
    return sendAnswer(reply, { kind: 'json', status: 200, value: buildDescribe(resources, apiRoot, origin) }, CONTENT_TYPES.describe);
  });

  for (const resource of resources) {
    app.route({
      method: [...METHODS],
      url: `/${resource.path.replace(/\{([a-z_]+)\}/g, ':$1')}`,
      config: { resource },
      handler: (request, reply) => dispatch(resource, request, reply),
    });
  }

  async function dispatch(resource: ApiResource, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const body = request.body;
    const user = await authenticate(request, deps);
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    const action = actionFor(resource, request);
    if (!action) throw new UnrecognisedSignatureError(request.method, query.getAll('op').at(-1));
    // Users read; only admins change anything or start and stop imports (MAAS admin_method on every such op).
    if (action.method !== 'GET' && !user.isSuperuser) throw new ForbiddenError();

    const args = new ParamBag();
    for (const [key, value] of query) if (key !== 'op') args.add(key, value);
    if (Buffer.isBuffer(body)) parseBody(request.headers['content-type'], body, args);
    if (!action.streamsBody) args.expectOnly(paramNames(action));
    const length = Number(request.headers['content-length']);

    // The response closing before it was written means the client left; a request's own 'close' fires once its
    // body is read, so it cannot tell.
    const aborted = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) aborted.abort();
    });
    const answer = await action.handle({
      deps,
      user,
      path: request.params as Record<string, string>,
      args,
      uri: (relative) => `${apiRoot}${relative}`,
      signal: aborted.signal,
      ...(body instanceof Readable && {
        body: {
          contentType: request.headers['content-type'],
          length: Number.isSafeInteger(length) ? length : undefined,
          range: request.headers['content-range'],
          stream: body,
        },
      }),
    });
    return sendAnswer(reply, answer);
  }
}

/** The action a request calls: its method, and the last `op=` of its query (none for the plain REST verbs). */
function actionFor(resource: ApiResource, request: FastifyRequest): ApiAction | undefined {
  const op = new URLSearchParams(request.url.split('?')[1] ?? '').getAll('op').at(-1) ?? null;
  return resource.actions.find((a) => a.method === request.method && a.op === op);
}

/** A body read whole, refused with a 413 as soon as it is known to pass `limit`. */
async function collectBody(payload: AsyncIterable<Buffer>, declared: string | undefined, limit: number): Promise<Buffer> {
  const tooLarge = (): Error => Object.assign(new Error('Request body is too large'), { statusCode: 413 });
  if (Number(declared) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Every call is signed with an API key, the page's too (it polls with fetch, which can send the header). */
async function authenticate(request: FastifyRequest, deps: ApiDeps): Promise<ApiUser> {
  const key = await verifyPlaintextOAuth(request.headers.authorization, (token) => deps.apiKeys.findByTokenKey(token));
  return { username: key.name, isSuperuser: key.isSuperuser };
}
