import type { ContentStore } from '@bootsync/shared/store';
import type { Repositories } from '../db/index.js';
import { recordDamage, type RecordedDamage } from './store-damage.js';

/**
 * Checks that every blob of every complete set is in the store at the size its file rows say (a stat each, not a
 * hash: the scrub does that). A missing blob, or one of another size (moved aside), is recorded as damage, so the
 * import that calls this fetches it again instead of trusting `complete`.
 */
export async function checkPublishedBlobs(
  repos: Pick<Repositories, 'bootResources' | 'resourceSets'>,
  store: ContentStore,
): Promise<RecordedDamage[]> {
  const expected = new Map<string, number>();
  for (const sets of (await repos.resourceSets.listByResource()).values()) {
    for (const set of sets) {
      if (!set.complete) continue;
      for (const file of set.files) expected.set(file.sha256, file.size);
    }
  }
  const damage: RecordedDamage[] = [];
  for (const [sha256, size] of expected) {
    const stored = await store.size(sha256);
    if (stored === size) continue;
    const found = await recordDamage(repos, store, sha256, stored === undefined ? 'missing' : 'size');
    // No set holds it any more: an import's clean-up dropped its sets and removed it meanwhile, nothing is damaged.
    if (found.sets > 0) damage.push(found);
  }
  return damage;
}
