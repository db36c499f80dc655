/**
 * The per-image status line, worded as MAAS 3.4's Images page words it (websockets/handlers/bootresource.py):
 * "Queued for download", "Downloading 42%", "Synced", and, once racks are known, "Syncing to rack controller(s)" /
 * "Waiting for rack controller(s) to sync". Pure: callers gather the facts, this only words them.
 */
export type ImageStatus =
  | 'Queued for download'
  | `Downloading ${number}%`
  | 'Synced'
  | 'Syncing to rack controller(s)'
  | 'Waiting for rack controller(s) to sync';

/** What the region holds of the image's newest resource set. */
export interface NewestSetState {
  readonly complete: boolean;
  /** Bytes verified or written so far, over all files of the set. */
  readonly bytesDone: number;
  /** Sum of the sizes of the set's files. */
  readonly totalBytes: number;
}

/**
 * Rack side of a complete image; absent while the region has no rack to wait for (the image is then "Synced").
 * The rack engineer fills it in without changing `imageStatus`'s signature.
 */
export interface RackSyncState {
  /** Every rack controller reports this image's newest complete set. */
  readonly allRacksHaveIt: boolean;
  /** At least one rack controller is importing right now. */
  readonly someRackSyncing: boolean;
}

export interface ImageStatusInput {
  /** The newest set of the image, or undefined when none was created yet. */
  readonly newestSet: NewestSetState | undefined;
  readonly racks?: RackSyncState;
}

export function imageStatus(input: ImageStatusInput): ImageStatus {
  const set = input.newestSet;
  if (set === undefined) return 'Queued for download';
  if (!set.complete) {
    const percent = downloadPercent(set);
    return percent > 0 ? `Downloading ${percent}%` : 'Queued for download';
  }
  const racks = input.racks;
  if (racks === undefined || racks.allRacksHaveIt) return 'Synced';
  return racks.someRackSyncing ? 'Syncing to rack controller(s)' : 'Waiting for rack controller(s) to sync';
}

/**
 * Whole percent of an incomplete set, rounded down so an unfinished set never reads "100%"; a set with a few bytes
 * reads at least 1% so it is not mistaken for a queued one.
 */
export function downloadPercent(set: NewestSetState): number {
  if (set.totalBytes <= 0 || set.bytesDone <= 0) return 0;
  const percent = Math.floor((set.bytesDone / set.totalBytes) * 100);
  return Math.min(99, Math.max(1, percent));
}

/** What `describedSet` needs of a set. */
export interface DescribableSet {
  readonly complete: boolean;
  /** Lost a blob that an import is to fetch again (its download is the status to show). */
  readonly damaged: boolean;
}

/**
 * The set an image's status describes, of its sets newest first: the newest, unless that one is a download no
 * import is working on (the import that started it failed or was stopped) while an older set is complete and
 * served. Then the image reads as that set ("Synced"), and the failure is the import status's to tell, not a
 * "Downloading 27%" frozen until the next import.
 */
export function describedSet<S extends DescribableSet>(sets: readonly S[], importRunning: boolean): S | undefined {
  const newest = sets[0];
  if (newest === undefined || newest.complete || newest.damaged || importRunning) return newest;
  return sets.find((s) => s.complete) ?? newest;
}
