import type { Logger } from '@bootsync/shared/logging';

/** What a rack turned away is told to wait, in seconds, before it asks again (its downloader adds up to as much). */
export const RACK_TRANSFER_RETRY_AFTER_S = 1;

/** One rack transfer under way; `end()` once its body is sent or its reader gone (a second call does nothing). */
export interface RackTransferTurn {
  end(): void;
}

export interface RackTransferLimitOptions {
  /** Transfers sent at once; 0 sends every one at once. */
  readonly max: number;
  readonly logger: Logger;
  /** Told the number in flight whenever it changes (the region's gauge). */
  readonly inFlight?: (count: number) => void;
}

/**
 * `--max-rack-transfers`: how many blob transfers to racks the region sends at once. A rack asking beyond them is
 * answered 503 + Retry-After and waits its turn (its downloader's waitWhileBusy, with jitter), which is not a failed
 * attempt. Without a limit, a thousand racks pulling after an import would each hold a response's buffers and the
 * kernel's socket buffers at once for no more bytes per second than a few dozen get.
 */
export class RackTransferLimit {
  #inFlight = 0;

  constructor(private readonly options: RackTransferLimitOptions) {}

  /** A turn for `rack`'s transfer of blob `sha256`, or undefined when the limit is reached. */
  begin(rack: string, sha256: string): RackTransferTurn | undefined {
    const { max, logger } = this.options;
    if (max > 0 && this.#inFlight >= max) {
      logger.debug({ event: 'racks.transfer.busy', rack, sha256, inFlight: this.#inFlight }, 'rack transfer turned away: as many in flight as --max-rack-transfers');
      return undefined;
    }
    this.#set(this.#inFlight + 1);
    logger.debug({ event: 'racks.transfer.started', rack, sha256, inFlight: this.#inFlight });
    let ended = false;
    return {
      end: () => {
        if (ended) return;
        ended = true;
        this.#set(this.#inFlight - 1);
      },
    };
  }

  #set(count: number): void {
    this.#inFlight = count;
    this.options.inFlight?.(count);
  }
}
