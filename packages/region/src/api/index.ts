export { maasApiPlugin, API_HASH_HEADER, MAAS_API_PREFIX, type MaasApiOptions } from './plugin.js';
export type { ApiDeps, ProbeRequest, SourceProber } from './deps.js';
export type { ApiUser, ApiKeyParts } from './auth.js';
export { API_RESOURCES } from './resources.js';
export type { ApiResource, ApiAction, ActionContext, ParamDoc, HttpMethod } from './route-table.js';
export { json, text, noContent, type ApiAnswer } from './answer.js';
export { maasFormErrors } from './errors.js';
export { maasDate } from './maas-date.js';
export { buildDescribe, describeHash, type DescribeDocument } from './describe.js';

