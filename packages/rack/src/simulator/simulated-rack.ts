import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Dispatcher } from 'undici';
import type { Downloader } from '@bootsync/shared/download';
import type { Logger } from '@bootsync/shared/logging';
import { bearer, RegionStreamClient, registerWithRegion, type SyncProgress, type SyncResult } from '@bootsync/shared/rack-protocol';
import { regionDownloader, startSyncWorker } from '../daemon/index.js';
import { planBlobs, planImages, planSnapshot } from '../snapshot/index.js';
import { missingFiles } from '../sync/index.js';
import { DiscardingSink } from './discarding-sink.js';

export interface SimulatedRackOptions {
  readonly name: string;
  readonly regionUrl: string;
  /** The region's secret, and the file it came from (named when the region refuses it). */
  readonly secret: string;
  readonly secretFile: string;
  /** Shared by every simulated rack for its commands (BullMQ duplicates it for each worker's blocking reads). */
  readonly connection: Redis;
  /** The connection pool every simulated rack's HTTP requests go through. */
  readonly dispatcher: Dispatcher;
  /** Fetch the blobs the rack lacks (verified, then discarded); otherwise a sync only reads the stream. */
  readonly bytes: boolean;
  readonly logger: Logger;
}

/** What one simulated rack did. */
export interface SimulatedRackStats {
  readonly name: string;
  readonly syncs: number;
  readonly failures: number;
  readonly bytesFetched: number;
  /** When its last successful sync ended that changed what it holds (ms since the epoch). */
  readonly lastChangedAt: number | undefined;
}

/**
 * A rack without a disk: it registers, runs its sync jobs from its own queue with the worker every rack runs
 * (startSyncWorker), reads the region stream with its ETag, plans its snapshot as a rack does and, with `bytes`,
 * fetches the blobs it lacks through the rack's downloader (waiting its turn at the region), verified and dropped.
 * What it reports (progress, result, failure) is what a real rack would.
 */
export class SimulatedRack {
  readonly #sink = new DiscardingSink();
  readonly #stopping = new AbortController();
  #worker: Worker | undefined;
  #downloader: Downloader | undefined;
  #client: RegionStreamClient | undefined;
  #source: string | undefined;
  #syncs = 0;
  #failures = 0;
  #bytesFetched = 0;
  #lastChangedAt: number | undefined;

  constructor(private readonly options: SimulatedRackOptions) {}

  get name(): string {
    return this.options.name;
  }

  async start(): Promise<void> {
    const { name, regionUrl, secret, secretFile, dispatcher, logger } = this.options;
    const registration = await registerWithRegion({ regionUrl, name, secret, secretFile, logger, dispatcher, signal: this.#stopping.signal });
    const authorization = { authorization: bearer(registration.token) };
    this.#client = new RegionStreamClient({ regionUrl, streamPath: registration.streamPath, headers: () => authorization, dispatcher });
    // Its own connections, as a real rack's; in this thread, as the sink is not a ContentStore.
    this.#downloader = regionDownloader({ token: registration.token, store: this.#sink });
    this.#worker = startSyncWorker({
      rack: name,
      regionUrl,
      registration,
      connection: this.options.connection,
      stopping: this.#stopping.signal,
      sync: (sync) => this.#sync(sync),
      onFailure: (err) => {
        this.#failures += 1;
        logger.warn({ event: 'rack.sync.failed', rack: name, err });
      },
    });
    this.#worker.on('error', (err) => logger.warn({ event: 'rack.worker.error', rack: name, err }));
  }

  stats(): SimulatedRackStats {
    return { name: this.name, syncs: this.#syncs, failures: this.#failures, bytesFetched: this.#bytesFetched, lastChangedAt: this.#lastChangedAt };
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#worker?.close();
    await this.#downloader?.close();
  }

  /** The real rack's sync (sync/rack-sync.ts) without the disk: same stream read, plan, missing blobs and result. */
  async #sync({ signal, onProgress }: { signal: AbortSignal; onProgress: (p: SyncProgress) => void }): Promise<SyncResult> {
    const client = this.#client as RegionStreamClient;
    const stream = await client.read(signal);
    const plan = planSnapshot(stream.items);
    const unchanged = this.#source === stream.tag;
    let fetched = 0;
    if (!unchanged && this.options.bytes) {
      const needed = planBlobs(plan);
      const missing = await missingFiles({ cache: this.#sink, client }, stream.items, needed);
      const outcomes = await (this.#downloader as Downloader).download(missing, {
        signal,
        onProgress: (p) => onProgress({ bytesDone: p.totalBytes, bytesTotal: p.totalSize }),
      });
      for (const outcome of outcomes) {
        if (!outcome.ok) throw outcome.error;
        fetched += outcome.fetched;
      }
      this.#sink.keepOnly(new Set(needed.keys()));
    } else {
      onProgress({ bytesDone: 0, bytesTotal: 0 });
    }
    this.#syncs += 1;
    this.#bytesFetched += fetched;
    if (!unchanged) {
      this.#source = stream.tag;
      this.#lastChangedAt = Date.now();
    }
    return { snapshot: `simulated-${this.#syncs}`, changed: !unchanged, bytesFetched: fetched, files: plan.files.length + plan.archives.length, images: planImages(plan) };
  }
}
