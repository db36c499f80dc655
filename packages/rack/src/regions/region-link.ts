import type { Dispatcher } from 'undici';
import type { Logger } from '@bootsync/shared/logging';
import { isRegionFailure, moveOn, RegionStreamClient, type RegionMove, type RegionRoster, type RegionStreamState } from '@bootsync/shared/rack-protocol';
import type { ProductItem } from '@bootsync/shared/streams';

export interface RegionLinkOptions {
  readonly roster: RegionRoster;
  readonly rack: string;
  readonly logger: Logger;
  /** The registration answer's `streamPath`, the same under every region of a cluster. */
  readonly streamPath: string;
  /** The rack's credentials, which every region of a cluster accepts (they share its database). */
  readonly headers: () => Readonly<Record<string, string>>;
  readonly dispatcher?: Dispatcher;
}

/**
 * The rack's way to its regions: one at a time, the roster's current one, and on to the next when it fails in a way
 * another may not (isRegionFailure), logged as `rack.region.changed`. Each region has its own stream client, so
 * its ETag is only ever sent back to it (a cluster's regions serve the same stream with the same ETags anyway).
 */
export class RegionLink {
  readonly #clients = new Map<string, RegionStreamClient>();

  constructor(private readonly options: RegionLinkOptions) {}

  /** The region requests go to now. */
  get current(): string {
    return this.options.roster.current;
  }

  /** How many regions the rack knows: with one, it has nowhere else to go and keeps to what it always did. */
  get regions(): number {
    return this.options.roster.urls.length;
  }

  /**
   * Reads the region stream from the current region, and from the next ones while they fail in turn; after a whole
   * round the last failure is thrown (the sync fails, and keeps serving what it holds).
   */
  async read(signal?: AbortSignal): Promise<RegionStreamState> {
    for (;;) {
      try {
        const state = await this.#client().read(signal);
        this.options.roster.answered();
        return state;
      } catch (err) {
        if (signal?.aborted || !isRegionFailure(err) || this.moveOn(err).roundOver) throw err;
      }
    }
  }

  /** Where the current region serves a stream item's file. */
  fileUrl(item: ProductItem): string {
    return this.#client().fileUrl(item);
  }

  /** The current region answered (a file came from it): a later failure starts a new round. */
  answered(): void {
    this.options.roster.answered();
  }

  /** The current region failed with `err`: the next one becomes current. */
  moveOn(err: unknown): RegionMove {
    return moveOn(this.options.roster, err, this.options);
  }

  #client(): RegionStreamClient {
    const regionUrl = this.current;
    let client = this.#clients.get(regionUrl);
    if (!client) {
      const { streamPath, headers, dispatcher } = this.options;
      client = new RegionStreamClient({ regionUrl, streamPath, headers, ...(dispatcher ? { dispatcher } : {}) });
      this.#clients.set(regionUrl, client);
    }
    return client;
  }
}
