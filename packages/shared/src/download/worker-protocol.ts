import type { TransferSettings } from './local-transfers.js';
import type { FileRequest } from './types.js';
import type { WireError } from './wire-error.js';

/** What a transfer worker is started with. */
export interface WorkerInit {
  readonly storeRoot: string;
  readonly fsync: boolean;
  readonly settings: TransferSettings;
}

export type ToWorker =
  | { readonly type: 'fetch'; readonly id: number; readonly request: FileRequest }
  | { readonly type: 'abort'; readonly id: number }
  | { readonly type: 'close' };

/** A FileOutcome with its error made transferable. */
export type WireOutcome =
  | { readonly ok: true; readonly sha256: string; readonly bytes: number; readonly resumedFrom: number; readonly fetched: number }
  | { readonly ok: false; readonly error: WireError };

export type FromWorker =
  | { readonly type: 'progress'; readonly id: number; readonly bytes: number }
  | { readonly type: 'done'; readonly id: number; readonly outcome: WireOutcome }
  /** The HTTP client failed inside a connection; the worker replaced its pools (dependency-faults.ts). */
  | { readonly type: 'fault'; readonly error: WireError; readonly pools: number }
  | { readonly type: 'closed' };
