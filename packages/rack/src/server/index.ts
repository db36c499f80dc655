export { createRackServer, type RackServerOptions } from './rack-server.js';
