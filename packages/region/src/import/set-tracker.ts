import type { ContentKey, WantedSet } from '@bootsync/shared/select';
import type { Repositories, ResourceSetWithFiles } from '../db/index.js';

/** A wanted set being imported: which of its contents are still missing, and whether one of them failed. */
export interface TrackedSet {
  readonly wanted: WantedSet;
  readonly setId: number;
  readonly missing: Set<ContentKey>;
  failed: boolean;
}

/** `ubuntu/noble amd64/ga-24.04`: how logs and run errors name an image. */
export function imageLabel(wanted: WantedSet): string {
  return `${wanted.image.identity.name} ${wanted.image.identity.architecture}`;
}

/**
 * Follows the files of the wanted sets through the downloads: progress into the file rows, and a set marked
 * complete only once every one of its files is verified in the store. A failed file fails only the sets that
 * contain it; the previous complete set of that image stays untouched.
 *
 * Progress (every flush of the progress writer) and completions (each verified file) arrive from concurrent
 * downloads: every step that writes runs on one queue, in the order it was asked for, so a late progress write
 * never lands after the file was recorded whole, and a set is marked complete after its files' rows say so.
 */
export class SetTracker {
  readonly #repos: Pick<Repositories, 'resourceSets'>;
  readonly #sets: TrackedSet[] = [];
  readonly #byContent = new Map<ContentKey, { fileIds: { id: number; size: number }[]; sets: TrackedSet[] }>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(repos: Pick<Repositories, 'resourceSets'>) {
    this.#repos = repos;
  }

  /** Starts following a set whose rows exist; contents already stored are not missing. */
  add(wanted: WantedSet, row: ResourceSetWithFiles, stored: (sha256: string) => boolean): Promise<void> {
    return this.#inOrder(async () => {
      const tracked: TrackedSet = { wanted, setId: row.id, missing: new Set(), failed: false };
      this.#sets.push(tracked);
      for (const file of wanted.files) {
        const fileRow = row.files.find((f) => f.filename === file.filename);
        const entry = this.#byContent.get(file.contentKey) ?? { fileIds: [], sets: [] };
        if (fileRow) entry.fileIds.push({ id: fileRow.id, size: fileRow.size });
        entry.sets.push(tracked);
        this.#byContent.set(file.contentKey, entry);
        const isStored = file.sha256 !== null && stored(file.sha256);
        if (!isStored) tracked.missing.add(file.contentKey);
        // A blob fetched for another set (a shared squashfs) or by an earlier run counts as verified here too.
        else if (fileRow && fileRow.bytesDone < fileRow.size) await this.#repos.resourceSets.setFileProgress(fileRow.id, fileRow.size);
      }
    });
  }

  /** Marks complete every followed set with nothing missing; returns them. */
  completeReady(): Promise<TrackedSet[]> {
    return this.#inOrder(async () => {
      const ready: TrackedSet[] = [];
      for (const set of this.#sets) {
        if (set.failed || set.missing.size > 0 || (await this.#repos.resourceSets.get(set.setId)).complete) continue;
        await this.#markComplete(set);
        ready.push(set);
      }
      return ready;
    });
  }

  progress(content: ContentKey, bytes: number): Promise<void> {
    return this.#inOrder(async () => {
      for (const file of this.#byContent.get(content)?.fileIds ?? []) {
        await this.#repos.resourceSets.setFileProgress(file.id, Math.min(bytes, file.size));
      }
    });
  }

  /** A content is verified in the store: returns the sets it completed. */
  stored(content: ContentKey): Promise<TrackedSet[]> {
    return this.#inOrder(async () => {
      const entry = this.#byContent.get(content);
      if (!entry) return [];
      for (const file of entry.fileIds) await this.#repos.resourceSets.setFileProgress(file.id, file.size);
      const completed: TrackedSet[] = [];
      for (const set of entry.sets) {
        set.missing.delete(content);
        if (!set.failed && set.missing.size === 0) {
          await this.#markComplete(set);
          completed.push(set);
        }
      }
      return completed;
    });
  }

  /** A content could not be fetched: returns the sets that fail with it (each once). */
  failed(content: ContentKey): TrackedSet[] {
    const newlyFailed = (this.#byContent.get(content)?.sets ?? []).filter((s) => !s.failed);
    for (const set of newlyFailed) set.failed = true;
    return newlyFailed;
  }

  /** The sets of a content, for naming the image in logs. */
  setsOf(content: ContentKey): readonly TrackedSet[] {
    return this.#byContent.get(content)?.sets ?? [];
  }

  /** Runs `step` after every step asked for before it has ended (failed or not). */
  #inOrder<T>(step: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(step);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #markComplete(set: TrackedSet): Promise<void> {
    await this.#repos.resourceSets.markComplete(set.setId);
  }
}
