export * from './image-status.js';
