export { startRackDaemon, type RackDaemon } from './rack-daemon.js';
export { registerWithRegion, REGISTER_PATH, type Registration, type RegisterOptions } from './registration.js';
