export { MaasApiClient, ApiRequestError, ApiUnreachableError, apiRootOf, type ApiResponse, type CallOptions } from './client.js';
export { encodeMaasMultipart, type FormField } from './multipart.js';
export { parseApiKey, plaintextOAuthHeader, ApiKeyFormatError, type ApiKeyParts } from './oauth.js';
