import type { BootResource, BootSource, ImportRunRepository, ResourceSetWithFiles, Selection } from '../../db/index.js';
import { maasDate } from '../maas-date.js';
import { describedSet, imageStatus, type RackSyncState } from '../../status/index.js';

/**
 * The JSON shapes MAAS answers (maasserver/api/*.py field lists; piston adds `resource_uri`), from domain records.
 * `uri` turns a path under the API root into the absolute path clients follow.
 */
type Uri = (relative: string) => string;

export function bootSourceJson(s: BootSource, uri: Uri): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    url: s.url,
    priority: s.priority,
    enabled: s.enabled,
    keyring_filename: s.keyringFilename,
    keyring_data: s.keyringData ? Buffer.from(s.keyringData).toString('base64') : '',
    skip_keyring_verification: s.skipKeyringVerification,
    created: maasDate(s.created),
    updated: maasDate(s.updated),
    resource_uri: uri(`boot-sources/${s.id}/`),
  };
}

export function selectionJson(s: Selection, uri: Uri): Record<string, unknown> {
  return {
    boot_source_id: s.bootSourceId,
    id: s.id,
    os: s.os,
    release: s.release,
    arches: s.arches,
    subarches: s.subarches,
    labels: s.labels,
    resource_uri: uri(`boot-sources/${s.bootSourceId}/selections/${s.id}/`),
  };
}

const TYPE_NAMES = { synced: 'Synced', generated: 'Generated', uploaded: 'Uploaded' } as const;

/**
 * `boot_resource_to_dict` plus bootsync's `status` (MAAS 3.4's Images page words), `size` (bytes of the set the
 * status describes, null before any set: what the Images page shows, so a list costs it no read per image) and
 * `last_synced` (when the newest complete set was finished). `sets` are the resource's sets, newest first; the status
 * describes the newest, or the complete one still served when no import is working on the newest (`describedSet`). `rackState` gives the racks'
 * side of a complete set ("Syncing to rack controller(s)", "Waiting for rack controller(s) to sync").
 */
export function bootResourceJson(
  r: BootResource,
  sets: readonly ResourceSetWithFiles[],
  uri: Uri,
  rackState?: (version: string) => RackSyncState | undefined,
  importRunning = false,
): Record<string, unknown> {
  const shown = describedSet(sets, importRunning);
  const racks = shown?.complete ? rackState?.(shown.version) : undefined;
  const lastComplete = sets.find((s) => s.complete);
  return {
    ...r.extra,
    id: r.id,
    type: TYPE_NAMES[r.rtype],
    name: r.name,
    architecture: r.architecture,
    resource_uri: uri(`boot-resources/${r.id}/`),
    last_deployed: null,
    status: imageStatus({
      newestSet: shown && { complete: shown.complete, bytesDone: shown.bytesDone, totalBytes: shown.size },
      ...(racks ? { racks } : {}),
    }),
    size: shown?.size ?? null,
    last_synced: lastComplete ? maasDate(lastComplete.updated) : null,
  };
}

/** Whether an import run is in progress, from the run records (SQLite): a status read costs no Redis round trip. */
export async function importRunning(runs: Pick<ImportRunRepository, 'list'>): Promise<boolean> {
  return (await runs.list(1))[0]?.outcome === 'running';
}

/**
 * Read by id adds `sets`: `{version: {version, label, size, complete, progress, files: {name: {...}}}}`. An
 * uploaded resource's incomplete files carry `upload_uri`, where the maas CLI PUTs their chunks.
 */
export function resourceSetsJson(sets: readonly ResourceSetWithFiles[], uploadUri?: (fileId: number) => string): Record<string, unknown> {
  return Object.fromEntries(
    sets.map((s) => [
      s.version,
      {
        version: s.version,
        label: s.label,
        size: s.size,
        complete: s.complete,
        progress: percent(s.bytesDone, s.size),
        files: Object.fromEntries(
          s.files.map((f) => [
            f.filename,
            {
              filename: f.filename,
              filetype: f.filetype,
              sha256: f.sha256,
              size: f.size,
              complete: f.bytesDone >= f.size,
              progress: percent(f.bytesDone, f.size),
              ...(uploadUri && f.bytesDone < f.size && { upload_uri: uploadUri(f.id) }),
            },
          ]),
        ),
      },
    ]),
  );
}

function percent(done: number, total: number): number {
  return total > 0 ? Math.round((done / total) * 1000) / 10 : 100;
}

export function isResourceType(value: string): value is keyof typeof TYPE_NAMES {
  return Object.hasOwn(TYPE_NAMES, value);
}
