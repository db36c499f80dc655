import type { Readable } from 'node:stream';
import type { ApiAnswer } from './answer.js';
import type { ApiUser } from './auth.js';
import type { ApiDeps } from './deps.js';
import type { ParamBag } from './params.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One key=value argument of an action, documented in describe as `:param name: doc` / `:type name: Type`. */
export interface ParamDoc {
  readonly name: string;
  readonly type: 'String' | 'Int' | 'Boolean' | 'File';
  readonly doc: string;
}

export interface ActionContext {
  readonly deps: ApiDeps;
  readonly user: ApiUser;
  /** The URL placeholders of the handler's path (`{boot_source_id}`, `{id}`), as sent. */
  readonly path: Readonly<Record<string, string>>;
  /** key=value arguments from the query (but `op`) and the body together. */
  readonly args: ParamBag;
  /** `resource_uri` of a path under the API root, e.g. `boot-sources/1/` → `/MAAS/api/2.0/boot-sources/1/`. */
  readonly uri: (relative: string) => string;
  /** Aborted when the client goes away; long actions (op=fetch) pass it on. */
  readonly signal: AbortSignal;
  /** The body as it arrives, for actions with `streamsBody` (their `args` then hold the query only). */
  readonly body?: RequestBody;
}

/** A request body not read yet: an image is never held in memory whole. */
export interface RequestBody {
  readonly contentType: string | undefined;
  /** The Content-Length header, when sent. */
  readonly length: number | undefined;
  /** The Content-Range header, when sent (a resumed upload says where its chunk starts). */
  readonly range: string | undefined;
  readonly stream: Readable;
}

export interface ApiAction {
  /** The maas CLI's word for it: `read`, `create`, `is_importing` (it shows `_` as `-`). */
  readonly name: string;
  readonly method: HttpMethod;
  /** `?op=` value; null for the plain REST verb of the path. */
  readonly op: string | null;
  /** First line of the doc: what the action does. */
  readonly summary: string;
  readonly description?: string;
  /** The key=value arguments it takes; every other key is refused. */
  readonly params?: readonly ParamDoc[];
  /**
   * The handler reads the body itself from `ctx.body` (uploads): it is neither buffered nor parsed into `args`, and
   * the handler checks the keys it reads.
   */
  readonly streamsBody?: boolean;
  readonly handle: (ctx: ActionContext) => ApiAnswer | Promise<ApiAnswer>;
}

/** One MAAS handler: a path (placeholders in braces) and its actions. Described and registered from this one record. */
export interface ApiResource {
  /** Piston handler name; the CLI derives the command from it (`BootSourceSelectionsHandler` → boot-source-selections). */
  readonly name: string;
  /** Relative to the API root, ending in `/`: `boot-sources/{boot_source_id}/selections/{id}/`. */
  readonly path: string;
  readonly doc: string;
  readonly actions: readonly ApiAction[];
  /** Served but left out of describe, as MAAS hides its upload handler: no CLI command is made for it. */
  readonly hidden?: boolean;
}

/** Placeholders of a handler path in order; they are the CLI's positional arguments. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!);
}

/** The param names an action accepts, for ParamBag.expectOnly. */
export function paramNames(action: ApiAction): string[] {
  return (action.params ?? []).map((p) => p.name);
}
