import type { ItemRef } from '@bootsync/shared/streams';

/** Why a file or blob no longer counts as the bytes that were verified. */
export type DamageReason = 'sha256' | 'size' | 'mtime' | 'missing';

/** A file of `current` (or a cached blob) whose bytes changed after they were verified. */
export interface Damage {
  /** The blob the file is a link to, or was unpacked from (a bootloader archive). */
  readonly sha256: string;
  /** Its path in the snapshot; absent for a cached blob `current` does not serve. */
  readonly file?: string;
  /** The stream item it came from (product and version: the image). */
  readonly ref?: ItemRef;
  readonly reason: DamageReason;
}

export function damageKey(d: Pick<Damage, 'sha256' | 'file'>): string {
  return `${d.sha256} ${d.file ?? ''}`;
}
