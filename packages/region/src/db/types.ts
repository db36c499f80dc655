import type { HeldImage, RackFailure, SyncResult } from '@bootsync/shared/rack-protocol';
import type { ProductItem } from '@bootsync/shared/streams';

/** Dates are ISO 8601 UTC strings with milliseconds; the API turns them into MAAS's form (api/maas-date.ts). */
export type IsoDate = string;

export interface BootSource {
  readonly id: number;
  readonly name: string;
  /** Without a trailing slash, as MAAS stores it. */
  readonly url: string;
  /** Higher is read first. */
  readonly priority: number;
  readonly enabled: boolean;
  /** '' when the keyring is given as data. */
  readonly keyringFilename: string;
  /** null when the keyring is given as a file name. */
  readonly keyringData: Uint8Array | null;
  readonly skipKeyringVerification: boolean;
  readonly created: IsoDate;
  readonly updated: IsoDate;
}

export interface NewBootSource {
  readonly url: string;
  readonly name?: string;
  readonly priority?: number;
  readonly enabled?: boolean;
  readonly keyringFilename?: string;
  readonly keyringData?: Uint8Array | null;
  readonly skipKeyringVerification?: boolean;
}

export type BootSourceUpdate = Partial<NewBootSource>;

export interface Selection {
  readonly id: number;
  readonly bootSourceId: number;
  readonly os: string;
  readonly release: string;
  readonly arches: readonly string[];
  readonly subarches: readonly string[];
  readonly labels: readonly string[];
}

export interface NewSelection {
  readonly os: string;
  readonly release: string;
  /** Default `['*']` each. */
  readonly arches?: readonly string[];
  readonly subarches?: readonly string[];
  readonly labels?: readonly string[];
}

export type SelectionUpdate = Partial<NewSelection>;

/** A source with its selections: what the import reads. */
export interface BootSourceWithSelections extends BootSource {
  readonly selections: readonly Selection[];
}

/** One image a source offers (one product version), as cached after the last successful read. */
export interface SourceCacheEntry {
  readonly os: string;
  readonly release: string;
  readonly arch: string;
  readonly subarch: string;
  readonly kflavor: string;
  readonly label: string;
  readonly releaseTitle: string;
  readonly releaseCodename: string;
  readonly supportEol: string;
  readonly bootloaderType: string;
  readonly productName: string;
  readonly versionName: string;
  /** The version's files, ready to plan downloads from. */
  readonly items: readonly ProductItem[];
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface CachedImage extends SourceCacheEntry {
  readonly bootSourceId: number;
  readonly readAt: IsoDate;
}

export type ResourceType = 'synced' | 'generated' | 'uploaded';

export interface BootResource {
  readonly id: number;
  readonly rtype: ResourceType;
  /** `os/release`, e.g. `ubuntu/noble`. */
  readonly name: string;
  /** `arch/subarch`, e.g. `amd64/ga-24.04`. */
  readonly architecture: string;
  /** MAAS's `extra`: subarches, title, ... */
  readonly extra: Readonly<Record<string, unknown>>;
  readonly created: IsoDate;
  readonly updated: IsoDate;
}

export interface ResourceSet {
  readonly id: number;
  readonly resourceId: number;
  readonly version: string;
  readonly label: string;
  readonly complete: boolean;
  /** Was complete, then lost a blob (missing, or moved aside as damaged); still offered to racks until repaired. */
  readonly damaged: boolean;
  readonly created: IsoDate;
  readonly updated: IsoDate;
}

export interface ResourceFile {
  readonly id: number;
  readonly setId: number;
  readonly filename: string;
  readonly filetype: string;
  readonly sha256: string;
  readonly size: number;
  /** Bytes verified so far: progress = bytesDone / size. */
  readonly bytesDone: number;
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface NewResourceFile {
  readonly filename: string;
  readonly filetype: string;
  readonly sha256: string;
  readonly size: number;
  readonly bytesDone?: number;
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** A set with its files and the sums the status strings are computed from. */
export interface ResourceSetWithFiles extends ResourceSet {
  readonly files: readonly ResourceFile[];
  readonly size: number;
  readonly bytesDone: number;
}

export type ImportOutcome = 'running' | 'succeeded' | 'failed' | 'partial' | 'stopped';

/** One failure of an import, naming what failed: an item ref, an image (`ubuntu/noble amd64/ga-24.04`) or a source URL. */
export interface ImportRunError {
  readonly item: string;
  readonly code: string;
  readonly message: string;
}

export interface ImportRun {
  readonly id: number;
  readonly started: IsoDate;
  readonly finished: IsoDate | null;
  readonly outcome: ImportOutcome;
  readonly bytes: number;
  readonly errors: readonly ImportRunError[];
}

/** The region's settings, under the names MAAS gives them (`maas set-config name=...`). */
export interface RegionConfig {
  readonly boot_images_auto_import: boolean;
  readonly http_proxy: string;
  readonly enable_http_proxy: boolean;
  readonly boot_images_no_proxy: boolean;
  /** Minutes between scheduled imports, unless `--import-schedule` gives a cron expression (which then wins). */
  readonly boot_images_import_interval_minutes: number;
  readonly commissioning_osystem: string;
  readonly commissioning_distro_series: string;
  readonly default_osystem: string;
  readonly default_distro_series: string;
}

export interface ApiKey {
  readonly consumerKey: string;
  readonly tokenKey: string;
  readonly tokenSecret: string;
  /** The user the key belongs to (`whoami`'s username). */
  readonly name: string;
  /** MAAS's is_superuser: may write and import; other users read only. */
  readonly isSuperuser: boolean;
  readonly created: IsoDate;
}

/** A rack's last failure as the region recorded it: what the rack reported, and when. */
export interface RackError extends RackFailure {
  readonly at: string;
}

/** The region's record of one rack controller. Dates are ISO 8601 UTC. */
export interface RackRecord {
  readonly name: string;
  readonly registered: string;
  readonly lastSeen: string | null;
  /** End of the last successful sync. */
  readonly lastSync: string | null;
  readonly syncing: boolean;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly holds: readonly HeldImage[];
  readonly lastResult: SyncResult | null;
  /** The last failure, cleared by the next success. */
  readonly lastError: RackError | null;
}
