import { createHash } from 'node:crypto';
import { pathParams, type ApiAction, type ApiResource } from './route-table.js';

/** The describe document, as the maas CLI reads it (see shared/reference/maas-api.md, "Describe JSON"). */
export interface DescribeDocument {
  readonly doc: string;
  readonly hash: string;
  readonly resources: readonly { name: string; anon: null; auth: HandlerDescription }[];
  readonly handlers: readonly HandlerDescription[];
}

interface HandlerDescription {
  readonly name: string;
  readonly doc: string;
  readonly params: readonly string[];
  /** Absolute path with `{placeholders}`: the CLI (3.2.8+) builds its URLs from it. */
  readonly path: string;
  /** The same, absolute URL from the request's Host: older clients build their URLs from it. */
  readonly uri: string;
  readonly actions: readonly ActionDescription[];
}

interface ActionDescription {
  readonly name: string;
  readonly method: string;
  readonly op: string | null;
  readonly restful: boolean;
  readonly doc: string;
}

/**
 * An action's doc in MAAS's docstring form. The CLI (3.6+) accepts key=value arguments only when `:param` appears
 * after the first paragraph, so every action that takes arguments lists them that way.
 */
function actionDoc(action: ApiAction): string {
  const paragraphs = [action.summary];
  if (action.description) paragraphs.push(action.description);
  const params = action.params ?? [];
  if (params.length > 0) paragraphs.push(params.map((p) => `:param ${p.name}: ${p.doc}\n:type ${p.name}: ${p.type}`).join('\n'));
  return paragraphs.join('\n\n');
}

/**
 * Builds describe from the same route table that registers the routes, so the two cannot drift.
 * `apiRoot` is the absolute path of the API (`/MAAS/api/2.0/`), `origin` e.g. `http://10.0.0.2:5240`.
 */
export function buildDescribe(resources: readonly ApiResource[], apiRoot: string, origin: string): DescribeDocument {
  const handlers = resources.filter((r) => !r.hidden).map((r): HandlerDescription => {
    const path = `${apiRoot}${r.path}`;
    return {
      name: r.name,
      doc: r.doc,
      params: pathParams(r.path),
      path,
      uri: `${origin}${path}`,
      actions: r.actions.map((a) => ({ name: a.name, method: a.method, op: a.op, restful: a.op === null, doc: actionDoc(a) })),
    };
  });
  return {
    doc: 'MAAS API',
    hash: shapeHash(handlers),
    resources: handlers.map((h) => ({ name: h.name, anon: null, auth: h })),
    handlers,
  };
}

/**
 * The hash MAAS sends in describe and as `X-MAAS-API-Hash` on every API answer: the CLI compares the two and tells
 * the user to `maas refresh` when its cached describe is stale. It depends on the API's shape only (not on the
 * Host), so every client sees the same one.
 */
export function describeHash(resources: readonly ApiResource[], apiRoot: string): string {
  return buildDescribe(resources, apiRoot, '').hash;
}

function shapeHash(handlers: readonly HandlerDescription[]): string {
  return createHash('sha1')
    .update(JSON.stringify(handlers.map((h) => ({ ...h, uri: '' }))))
    .digest('hex');
}
