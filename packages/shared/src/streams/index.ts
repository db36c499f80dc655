export * from './item-ref.js';
export type * from './types.js';
