export { drawBar, formatBytes, formatDuration, formatTransfer, type Transfer } from './bar.js';
