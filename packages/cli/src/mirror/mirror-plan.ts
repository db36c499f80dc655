import { partialKey } from '@bootsync/shared/store';
import type { Checksums, ItemRef, ProductItem } from '@bootsync/shared/streams';
import { MirrorPathConflictError } from './errors.js';

/** One file of the mirror: every selected item at one path (shared squashfs files are one file). */
export interface MirrorFile {
  /** Relative to the mirror root, already checked to stay inside it. */
  readonly path: string;
  readonly size: number;
  readonly checksums: Checksums;
  /** The strongest checksum as `sha256-<hex>`: what the state remembers the file by. */
  readonly key: string;
  readonly refs: readonly ItemRef[];
}

/** The filters and `--max` of a run, as given. */
export interface MirrorSelection {
  readonly filters: readonly string[];
  readonly max?: number;
}

/** What the mirror holds after a run: its files (by path), the documents it wrote, and what the run selected. */
export interface MirrorState {
  readonly files: Readonly<Record<string, { readonly size: number; readonly key: string }>>;
  readonly documents: readonly string[];
  readonly selection?: MirrorSelection;
}

export const EMPTY_STATE: MirrorState = { files: {}, documents: [] };

/** True when a run selects otherwise than the one before it (which then loses what only it selected). Pure. */
export function selectionChanged(before: MirrorState, now: MirrorSelection): boolean {
  const was = before.selection;
  if (was === undefined) return false;
  return was.max !== now.max || was.filters.length !== now.filters.length || was.filters.some((f, i) => f !== now.filters[i]);
}

export interface MirrorPlan {
  readonly wanted: readonly MirrorFile[];
  /** In place since an earlier run: nothing to do. */
  readonly current: readonly MirrorFile[];
  /** At their path with the right size but not known to be right (an earlier tool's mirror): verified locally. */
  readonly adopt: readonly MirrorFile[];
  readonly fetch: readonly MirrorFile[];
  /** Mirrored before, no longer selected (filters, `--max`, gone upstream). */
  readonly remove: readonly { readonly path: string; readonly size: number }[];
}

/**
 * The files of the selected items, one per path. Two items may share a path only with the same content; an item may
 * not take the place of a document or of the mirror's own state. Pure.
 */
export function mirrorFiles(items: readonly ProductItem[], reserved: (path: string) => string | undefined): MirrorFile[] {
  const byPath = new Map<string, MirrorFile & { refs: ItemRef[] }>();
  for (const item of items) {
    const key = partialKey({ checksums: item.checksums, ref: item.ref });
    const known = byPath.get(item.path);
    if (known) {
      if (known.key !== key || known.size !== item.size) {
        throw new MirrorPathConflictError(item.path, `items ${describe(known.refs[0]!)} and ${describe(item.ref)} give it different content`);
      }
      known.refs.push(item.ref);
      continue;
    }
    const taken = reserved(item.path);
    if (taken !== undefined) throw new MirrorPathConflictError(item.path, `item ${describe(item.ref)} would overwrite ${taken}`);
    byPath.set(item.path, { path: item.path, size: item.size, checksums: item.checksums, key, refs: [item.ref] });
  }
  return [...byPath.values()];
}

/**
 * What a run does, given what the state says was mirrored and the sizes of the files now on disk: a file known by
 * the state with the same content and size on disk is current; one on disk with the right size but unknown is
 * verified locally; the rest is fetched. Files of the state that are no longer wanted are removed. Pure.
 */
export function planMirror(wanted: readonly MirrorFile[], state: MirrorState, onDisk: ReadonlyMap<string, number>): MirrorPlan {
  const current: MirrorFile[] = [];
  const adopt: MirrorFile[] = [];
  const fetch: MirrorFile[] = [];
  for (const file of wanted) {
    const known = state.files[file.path];
    const size = onDisk.get(file.path);
    if (size === file.size && known?.key === file.key && known.size === file.size) current.push(file);
    else if (size === file.size) adopt.push(file);
    else fetch.push(file);
  }
  const wantedPaths = new Set(wanted.map((f) => f.path));
  const remove = Object.entries(state.files)
    .filter(([path]) => !wantedPaths.has(path))
    .map(([path, f]) => ({ path, size: f.size }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { wanted, current, adopt, fetch, remove };
}

/** The state once the plan is done: every wanted file, the documents written, the selection that wanted them. */
export function stateAfter(wanted: readonly MirrorFile[], documents: readonly string[], selection?: MirrorSelection): MirrorState {
  return {
    files: Object.fromEntries(wanted.map((f) => [f.path, { size: f.size, key: f.key }])),
    documents: [...documents],
    ...(selection ? { selection } : {}),
  };
}

/**
 * The state while the plan runs: the earlier files and the wanted ones, so a run killed after placing a file still
 * knows to remove it later if it is no longer wanted then.
 */
export function stateDuring(before: MirrorState, wanted: readonly MirrorFile[]): MirrorState {
  return { ...before, files: { ...before.files, ...stateAfter(wanted, []).files } };
}

function describe(ref: ItemRef): string {
  return `${ref.product} ${ref.version} ${ref.item}`;
}
