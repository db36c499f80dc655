export { answerFileRequest, etagMatches, parseByteRange, type ByteRange, type FileAnswer } from './byte-range.js';
export { closeSilentConnections, connectionLimitOptions, CONNECTION_LIMITS, type ConnectionLimits } from './connection-limits.js';
export { sendFile, type ServingMeter } from './file-sender.js';
export { accelRedirectOption, accelRedirectUri } from './accel-redirect.js';
export { createServingMetrics, type ServingMetrics } from './serving-metrics.js';
