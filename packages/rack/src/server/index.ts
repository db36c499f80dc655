export { createRackServer, type RackServerOptions } from './rack-server.js';
export { parseByteRange, etagMatches, type ByteRange } from './byte-range.js';
