import { BootsyncError, type RackProtocolErrorCode } from '../errors/index.js';
import { MalformedMessageError, ProtocolMismatchError } from './errors.js';
import { protocolOf, RACK_PROTOCOL_VERSION } from './version.js';

// The codes of a failure that is not a BootsyncError: a sync stopped, or anything else.
const SYNC_ABORTED = 'RACK_SYNC_ABORTED' satisfies RackProtocolErrorCode;
const SYNC_FAILED = 'RACK_SYNC_FAILED' satisfies RackProtocolErrorCode;

/** One image version a rack holds, by its region-stream product name. */
export interface HeldImage {
  readonly product: string;
  readonly version: string;
}

/** How far a sync is, as the rack reports it while the job runs. */
export interface SyncProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /**
   * Sent when the sync found files of the rack's snapshot damaged: the images the rack still serves whole, so the
   * region stops counting the others as held even if the repair fails.
   */
  readonly images?: readonly HeldImage[];
}

/** What a sync job returns: what the rack now serves. */
export interface SyncResult {
  readonly snapshot: string;
  /** False when the rack already held exactly what the region offers. */
  readonly changed: boolean;
  readonly bytesFetched: number;
  readonly files: number;
  readonly images: readonly HeldImage[];
}

/** Why a sync job failed, as the region records and shows it. */
export interface RackFailure {
  /** The stable code of the error (`STORE_CHECKSUM_MISMATCH`, `RACK_SYNC_ABORTED`...). */
  readonly code: string;
  readonly message: string;
  /** The image version the failure concerns, when it concerns one. */
  readonly image?: HeldImage;
  /** The file of that image (its item name: `boot-kernel`, `squashfs`...). */
  readonly file?: string;
}

type Versioned<T> = T & { readonly protocol: number };
export type SyncProgressMessage = Versioned<SyncProgress>;
export type SyncResultMessage = Versioned<SyncResult>;
export type RackFailureMessage = Versioned<RackFailure>;

export function progressMessage(progress: SyncProgress): SyncProgressMessage {
  return { protocol: RACK_PROTOCOL_VERSION, ...progress };
}

export function resultMessage(result: SyncResult): SyncResultMessage {
  return { protocol: RACK_PROTOCOL_VERSION, ...result };
}

/**
 * The job's failure reason: BullMQ carries only the message of the error a job failed with, so the failure
 * crosses as that message, JSON.
 */
export function failureReason(failure: RackFailure): string {
  return JSON.stringify({ protocol: RACK_PROTOCOL_VERSION, ...failure } satisfies RackFailureMessage);
}

/** What a sync that threw `err` reports: the error's code (bootsync's own errors) and the image and file it names. */
export function failureOf(err: unknown, options: { readonly aborted?: boolean } = {}): RackFailure {
  const code = err instanceof BootsyncError ? err.code : options.aborted ? SYNC_ABORTED : SYNC_FAILED;
  const message = err instanceof Error ? err.message : String(err);
  // The downloader's and the store's errors name the stream item they were about.
  const ref = typeof err === 'object' && err !== null ? (err as { ref?: unknown }).ref : undefined;
  if (!isItemRef(ref)) return { code, message };
  return { code, message, image: { product: ref.product, version: ref.version }, file: ref.item };
}

/** The region's reading of a progress report; undefined for one it cannot read (another version, no object). */
export function readProgress(value: unknown): SyncProgress | undefined {
  if (protocolOf(value) !== RACK_PROTOCOL_VERSION) return undefined;
  const { bytesDone, bytesTotal, images } = value as { bytesDone?: unknown; bytesTotal?: unknown; images?: unknown };
  const held = Array.isArray(images) ? heldImages(images) : undefined;
  return { bytesDone: count(bytesDone), bytesTotal: count(bytesTotal), ...(held ? { images: held } : {}) };
}

/**
 * The region's reading of a finished job's return value (BullMQ hands it over as JSON text or parsed).
 * ProtocolMismatchError from a rack of another version, MalformedMessageError when it has not the shape.
 */
export function readResult(value: unknown, rack: string): SyncResult {
  const message = typeof value === 'string' ? parseJson(value) : value;
  const protocol = protocolOf(message);
  if (protocol !== RACK_PROTOCOL_VERSION) throw mismatchSeenByRegion('sync result', rack, protocol);
  const { snapshot, changed, bytesFetched, files, images } = message as Record<string, unknown>;
  if (typeof snapshot !== 'string' || typeof changed !== 'boolean' || !Array.isArray(images)) {
    throw new MalformedMessageError('sync result', 'snapshot, changed or images missing');
  }
  return { snapshot, changed, bytesFetched: count(bytesFetched), files: count(files), images: heldImages(images) };
}

/**
 * The region's reading of a failed job's reason. Never throws: a rack of another version reads as
 * RACK_PROTOCOL_MISMATCH, and a reason that is not a rack's (BullMQ's own: a stalled job, a lost lock) as
 * RACK_SYNC_FAILED with that reason as message.
 */
export function readFailure(reason: string, rack: string): RackFailure {
  const message = parseJson(reason);
  const protocol = protocolOf(message);
  if (protocol === undefined) return { code: SYNC_FAILED, message: reason };
  if (protocol !== RACK_PROTOCOL_VERSION) return failureOf(mismatchSeenByRegion('sync failure', rack, protocol));
  const { code, message: text, image, file } = message as Record<string, unknown>;
  if (typeof code !== 'string' || typeof text !== 'string') return { code: SYNC_FAILED, message: reason };
  const [held] = heldImages([image]);
  return { code, message: text, ...(held ? { image: held } : {}), ...(typeof file === 'string' ? { file } : {}) };
}

function mismatchSeenByRegion(message: string, rack: string, rackProtocol: number | undefined): ProtocolMismatchError {
  return new ProtocolMismatchError({ seenBy: 'region', message, rack, region: undefined, rackProtocol, regionProtocol: RACK_PROTOCOL_VERSION });
}

function heldImages(values: readonly unknown[]): HeldImage[] {
  return values.flatMap((i) => {
    const { product, version } = (typeof i === 'object' && i !== null ? i : {}) as { product?: unknown; version?: unknown };
    return typeof product === 'string' && typeof version === 'string' ? [{ product, version }] : [];
  });
}

function isItemRef(value: unknown): value is { product: string; version: string; item: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { product, version, item } = value as Record<string, unknown>;
  return typeof product === 'string' && typeof version === 'string' && typeof item === 'string';
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
