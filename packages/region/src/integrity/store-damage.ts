import type { ContentStore } from '@bootsync/shared/store';
import type { Repositories } from '../db/index.js';

/** Why a blob is no longer trusted: gone, of another size than its sets say, or bytes that no longer hash to it. */
export type DamageKind = 'missing' | 'size' | 'checksum' | 'unreadable';

/** A damaged blob as recorded: the images whose sets hold it, and where its bytes were moved aside. */
export interface RecordedDamage {
  readonly sha256: string;
  readonly kind: DamageKind;
  /** `ubuntu/noble amd64/ga-24.04`, each image whose sets hold the blob. */
  readonly images: readonly string[];
  /** Sets that hold the blob (complete ones are now damaged: incomplete, still offered until repaired). */
  readonly sets: number;
  /** `<store>/quarantine/<sha256>` when there were bytes to move aside. */
  readonly quarantined: string | undefined;
}

/**
 * Takes a damaged blob out of service: its bytes (if any) move to the store's quarantine, so nothing serves them
 * again, and the sets holding it are marked damaged, so the next import fetches it again.
 */
export async function recordDamage(
  repos: Pick<Repositories, 'bootResources' | 'resourceSets'>,
  store: ContentStore,
  sha256: string,
  kind: DamageKind,
): Promise<RecordedDamage> {
  const quarantined = kind === 'missing' ? undefined : await store.quarantine(sha256);
  const setIds = await repos.resourceSets.markBlobDamaged(sha256);
  const images = new Set<string>();
  for (const id of setIds) {
    const resource = await repos.bootResources.find((await repos.resourceSets.get(id)).resourceId);
    if (resource) images.add(`${resource.name} ${resource.architecture}`);
  }
  return { sha256, kind, images: [...images].sort(), sets: setIds.length, quarantined };
}
