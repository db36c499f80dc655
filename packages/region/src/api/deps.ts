import type { ProductItem } from '@bootsync/shared/streams';
import type { Repositories } from '../db/index.js';
import type { ImportService } from '../import/import-service.js';
import type { RackCounts, RackQuery, RackView } from '../racks/index.js';
import type { RackSyncState } from '../status/index.js';
import type { UploadService } from '../uploads/upload-service.js';

type Use<K extends keyof Repositories, M extends keyof Repositories[K]> = Pick<Repositories[K], M>;

/**
 * Exactly what the MAAS API needs from the region: the repositories of src/db (pass them as they are; missing rows
 * are NotFoundError and refused input ValidationError, which the API maps to MAAS answers), the import service and
 * a source prober.
 */
export interface ApiDeps {
  readonly apiKeys: Use<'apiKeys', 'findByTokenKey'>;
  readonly bootSources: Use<'bootSources', 'list' | 'get' | 'create' | 'update' | 'delete'>;
  readonly selections: Use<'selections', 'listForSource' | 'get' | 'create' | 'update' | 'delete'>;
  readonly sourceCache: Use<'sourceCache', 'list' | 'replace'>;
  readonly bootResources: Use<'bootResources', 'list' | 'get'>;
  readonly resourceSets: Use<'resourceSets', 'listForResource' | 'listByResource'>;
  /** Whether a run is in progress, for the images' status words. */
  readonly importRuns: Use<'importRuns', 'list'>;
  readonly config: Use<'config', 'get' | 'shown' | 'set'>;
  readonly imports: Pick<ImportService, 'triggerImport' | 'stopImport' | 'isImporting' | 'lastRuns'>;
  /** Reads and verifies a source without saving anything (op=fetch, the Images page's "Connect"). */
  readonly prober: SourceProber;
  /** Custom images: `boot-resources create`, its chunked upload, and deleting a resource with its blobs. */
  readonly uploads: UploadService;
  /** The region's rack controllers (`rackcontrollers/`); without it, racks read as not found. */
  readonly racks?: RackControllers;
}

export interface ProbeRequest {
  readonly url: string;
  readonly keyringFilename?: string;
  readonly keyringData?: Uint8Array;
  readonly skipKeyringVerification: boolean;
}

export interface SourceProber {
  /** The verified items of the source; throws the stream/signing/source errors (typed) when it cannot. */
  probe(request: ProbeRequest, signal: AbortSignal): Promise<readonly ProductItem[]>;
}

/** What the MAAS API needs of the racks (the RackService satisfies it). */
export interface RackControllers {
  /** By name; `query` keeps one status and a page of it. */
  list(query?: RackQuery): Promise<RackView[]>;
  /** How many racks read each status, without listing them. */
  counts(): Promise<RackCounts>;
  get(name: string): Promise<RackView>;
  deregister(name: string): Promise<void>;
  /** An immediate, deduplicated sync job for that rack, or for every rack without a name. */
  importBootImages(name?: string): Promise<void>;
  /**
   * The rack side of images' statuses, read once for a whole answer: for an image's newest complete set at
   * `version`, undefined while no rack is connected.
   */
  imageRackStates(): Promise<(resource: { readonly name: string; readonly architecture: string }, version: string) => RackSyncState | undefined>;
}
