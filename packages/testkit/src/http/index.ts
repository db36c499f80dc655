export { startConnectProxy, type ConnectProxy } from './connect-proxy.js';
export { FaultSwitch, type Fault } from './faults.js';
export {
  startMisbehavingServer,
  type MisbehavingServer,
  type MisbehavingServerOptions,
  type RequestRecord,
} from './misbehaving-server.js';
export { writePayload, type PayloadFile } from './payload.js';
export { servePayloads, type ServedPayloads } from './served-payloads.js';
export { startPythonFileServer, type PythonFileServer } from './python-server.js';
