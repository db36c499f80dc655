export { BootsyncError } from './bootsync-error.js';
