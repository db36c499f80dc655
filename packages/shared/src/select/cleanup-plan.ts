import { compareBytes } from '../streams/byte-order.js';
import { imageKey, type ImageIdentity } from './boot-image.js';
import { InvalidRetentionError } from './errors.js';
import type { HeldSet } from './import-plan.js';
import { isImageWanted, type Selection } from './selection.js';

export interface PlanCleanupInput {
  /** Every set the region holds, with its complete flag as it stands after the import's downloads. */
  readonly held: readonly HeldSet[];
  /**
   * The images the sources offer now (`offeredImages(items).map(i => i.identity)` over every source read).
   * Only a guard: when empty, nothing could be read and nothing is dropped. An image missing from it is still
   * kept while a selection matches it.
   */
  readonly offered: readonly ImageIdentity[];
  /** The selections of every source. */
  readonly selections: readonly Selection[];
  /** Complete sets kept per image (>= 1; MAAS keeps 1). */
  readonly retention: number;
}

export interface CleanupPlan {
  /** Sets to delete from images that stay. */
  readonly dropSets: readonly HeldSet[];
  /** Images to delete with all their sets (no longer wanted). */
  readonly dropImages: readonly ImageIdentity[];
}

/**
 * What to delete after an import: images no selection wants any more, then per image the complete sets beyond
 * `retention` and the incomplete sets that are not the newest pending one. Counting only complete sets keeps the
 * previous set until its successor is complete.
 */
export function planCleanup(input: PlanCleanupInput): CleanupPlan {
  if (!Number.isInteger(input.retention) || input.retention < 1) throw new InvalidRetentionError(input.retention);
  // Nothing read means nothing known (MAAS LP:1387133 deleted every image this way).
  if (input.offered.length === 0) return { dropSets: [], dropImages: [] };

  const byImage = new Map<string, HeldSet[]>();
  for (const set of input.held) {
    const key = imageKey(set.image.identity);
    byImage.set(key, [...(byImage.get(key) ?? []), set]);
  }

  const dropSets: HeldSet[] = [];
  const dropImages: ImageIdentity[] = [];
  for (const sets of byImage.values()) {
    const image = sets[0]!.image;
    if (!isImageWanted(image, input.selections)) {
      dropImages.push(image.identity);
      continue;
    }
    dropSets.push(...setsBeyondRetention(sets, input.retention));
  }
  return { dropSets, dropImages };
}

function setsBeyondRetention(sets: readonly HeldSet[], retention: number): HeldSet[] {
  const newestFirst = [...sets].sort((a, b) => compareBytes(b.version, a.version));
  const complete = newestFirst.filter((s) => s.complete);
  const newestComplete = complete[0];
  // The one incomplete set worth finishing is the newest, and only if it would replace the complete ones.
  const pending = newestFirst.find(
    (s) => !s.complete && (!newestComplete || compareBytes(s.version, newestComplete.version) > 0),
  );
  const kept = new Set([...complete.slice(0, retention), ...(pending ? [pending] : [])]);
  return newestFirst.filter((s) => !kept.has(s));
}
