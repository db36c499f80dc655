export { startRackDaemon, type RackDaemon } from './rack-daemon.js';
