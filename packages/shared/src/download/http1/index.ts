export { Http1Agent, type Http1AgentOptions } from './agent.js';
export type { ExchangeOptions, Http1Response } from './connection.js';
export { HttpProtocolError } from './response-head.js';
