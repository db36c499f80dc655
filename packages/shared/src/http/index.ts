export { answerFileRequest, etagMatches, parseByteRange, type ByteRange, type FileAnswer } from './byte-range.js';
export { closeSilentConnections, connectionLimitOptions, CONNECTION_LIMITS, type ConnectionLimits } from './connection-limits.js';
